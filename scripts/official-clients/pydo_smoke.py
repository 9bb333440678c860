#!/usr/bin/env python3
"""Drive DigitalOcean's official Python client (pydo) against a DO API v2 endpoint.

Usage:
    pydo_smoke.py --base-url URL --token TOKEN [--ca-file PEM | --insecure]

pydo is used unchanged, as a user would use it: ``pydo.Client(token=..., endpoint=URL)``.
The only client options set are ones a user sets too:
  * ``retry_total=0``: azure-core's RetryPolicy would otherwise retry 408/429/500/502/503/504
    up to 3 times with 0.8 s exponential backoff (and any >=400 carrying Retry-After), which
    hides simulator errors and makes the run slow;
  * ``connection_timeout`` / ``read_timeout``: fail fast instead of the 300 s defaults;
  * for an https URL with a self-signed certificate: ``connection_verify=<PEM>`` (or False);
  * for a plain http URL: ``enforce_https=False`` on every operation call. azure-core's
    BearerTokenCredentialPolicy refuses to send a bearer token to a non-https URL
    ("Bearer token authentication is not permitted for non-TLS protected (non-https) URLs.");
    ``enforce_https`` is azure-core's documented per-request opt-out.

One line per check (``ok NAME`` / ``FAIL NAME: reason``), then ``N passed, N failed``.
Exit status 1 if any check failed, 0 otherwise (2 for bad usage / pydo missing).
"""

import argparse
import sys
import urllib.parse

try:
    import pydo
    from azure.core.exceptions import AzureError, HttpResponseError
except ImportError as exc:  # pragma: no cover - environment problem, not a check
    print(f"pydo is not importable ({exc}); install it: pip install pydo==0.44.0", file=sys.stderr)
    sys.exit(2)

DROPLET_NAME = "pydo-smoke-1"
DROPLET_TAG = "pydo-smoke"
EXTRA_TAG = "pydo-smoke-extra"
DOMAIN = "pydo-smoke.test"
REGION = "nyc3"
SIZE = "s-1vcpu-1gb"
IMAGE = "ubuntu-20-04-x64"


class CheckFailed(Exception):
    pass


class Smoke:
    def __init__(self, client, call_options):
        self.client = client
        self.call_options = call_options  # extra kwargs for every operation call
        self.passed = 0
        self.failed = 0
        self.last_status = None  # HTTP status of the last response (raw_response_hook)

    # -- plumbing -------------------------------------------------------------------------

    def on_response(self, pipeline_response):
        self.last_status = pipeline_response.http_response.status_code

    def call(self, operation, *args, **kwargs):
        """Call a pydo operation as a user would, plus the per-call transport options."""
        self.last_status = None
        return operation(*args, **kwargs, **self.call_options)

    def run(self, name, func, needs=()):
        """Run one check; returns its value, or None if it failed or was skipped."""
        missing = [n for n, v in needs if v is None]
        if missing:
            self.fail(name, "skipped: needs " + ", ".join(missing))
            return None
        try:
            value = func()
        except CheckFailed as exc:
            self.fail(name, str(exc))
            return None
        except HttpResponseError as exc:
            self.fail(name, describe_http_error(exc))
            return None
        except AzureError as exc:  # ServiceRequestError (connect, https enforcement), DecodeError, ...
            self.fail(name, f"{type(exc).__name__}: {exc.message if hasattr(exc, 'message') else exc}")
            return None
        except Exception as exc:  # noqa: BLE001 - a smoke test reports everything
            self.fail(name, f"{type(exc).__name__}: {exc}")
            return None
        self.passed += 1
        print(f"ok {name}", flush=True)
        return value

    def fail(self, name, reason):
        self.failed += 1
        reason = " ".join(str(reason).split())
        if len(reason) > 600:
            reason = reason[:600] + "..."
        print(f"FAIL {name}: {reason}", flush=True)

    # -- assertions on pydo's return values (plain dicts) ----------------------------------

    def body(self, result, key):
        """pydo returns the error body instead of raising for the 404s the spec lists,
        so every result is checked for the expected envelope key."""
        if not isinstance(result, dict):
            raise CheckFailed(f"expected a JSON object, got {type(result).__name__}: {result!r}")
        if key not in result:
            raise CheckFailed(f"HTTP {self.last_status}: no '{key}' in response: {short(result)}")
        return result[key]

    def expect_no_content(self, result):
        """Operations documented as 204 return None; a dict means pydo got a 404 body."""
        if result is not None or self.last_status != 204:
            raise CheckFailed(f"expected 204 with no body, got HTTP {self.last_status}: {short(result)}")


def short(value, limit=300):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def describe_http_error(exc):
    status = getattr(exc, "status_code", None)
    body = ""
    if exc.response is not None:
        try:
            body = exc.response.text()
        except Exception:  # noqa: BLE001
            body = "<unreadable body>"
    # pydo raises for any status its operation does not list (e.g. 201 where it expects 202).
    return f"{type(exc).__name__}: HTTP {status}; body: {body or exc.message}"


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_collection(s, result, key):
    items = s.body(result, key)
    require(isinstance(items, list), f"'{key}' is not a list: {short(items)}")
    require(isinstance(result.get("links"), dict), f"no 'links' object: {short(result)}")
    meta = result.get("meta")
    require(isinstance(meta, dict) and is_int(meta.get("total")), f"no integer meta.total: {short(meta)}")
    require(meta["total"] >= len(items), f"meta.total {meta['total']} < {len(items)} items")
    return items


# -- the checks -----------------------------------------------------------------------------


def smoke(s, created):
    c = s.client

    def account_get():
        account = s.body(s.call(c.account.get), "account")
        for field in ("uuid", "email", "status"):
            require(isinstance(account.get(field), str), f"account.{field} missing: {short(account)}")
        require(is_int(account.get("droplet_limit")), f"account.droplet_limit not an int: {short(account)}")

    s.run("account.get", account_get)

    def sizes_list():
        sizes = check_collection(s, s.call(c.sizes.list, per_page=200), "sizes")
        slugs = [size.get("slug") for size in sizes]
        require(SIZE in slugs, f"{SIZE} not among sizes {slugs[:20]}")
        size = sizes[slugs.index(SIZE)]
        require(is_int(size.get("memory")) and is_int(size.get("vcpus")), f"bad size: {short(size)}")
        require(isinstance(size.get("price_monthly"), (int, float)), f"bad price_monthly: {short(size)}")

    s.run("sizes.list", sizes_list)

    def regions_list():
        regions = check_collection(s, s.call(c.regions.list, per_page=200), "regions")
        slugs = [region.get("slug") for region in regions]
        require(REGION in slugs, f"{REGION} not among regions {slugs}")
        require(isinstance(regions[slugs.index(REGION)].get("available"), bool), "region.available not a bool")

    s.run("regions.list", regions_list)

    def images_list():
        images = check_collection(s, s.call(c.images.list, type="distribution", per_page=200), "images")
        slugs = [image.get("slug") for image in images]
        require(IMAGE in slugs, f"{IMAGE} not among distribution images {slugs[:20]}")
        require(is_int(images[slugs.index(IMAGE)].get("id")), "image.id not an int")

    s.run("images.list", images_list)

    def droplets_create():
        body = {
            "name": DROPLET_NAME,
            "region": REGION,
            "size": SIZE,
            "image": IMAGE,
            "tags": [DROPLET_TAG],
        }
        result = s.call(c.droplets.create, body=body)
        droplet = s.body(result, "droplet")
        require(is_int(droplet.get("id")), f"droplet.id not an int: {short(droplet)}")
        created["droplet"] = droplet["id"]
        require(droplet.get("name") == DROPLET_NAME, f"droplet.name is {droplet.get('name')!r}")
        actions = (result.get("links") or {}).get("actions")
        require(isinstance(actions, list) and actions, f"no links.actions: {short(result.get('links'))}")
        require(is_int(actions[0].get("id")), f"links.actions[0].id not an int: {short(actions[0])}")
        return droplet["id"]

    droplet_id = s.run("droplets.create", droplets_create)
    need_droplet = (("droplets.create", droplet_id),)

    def droplets_get():
        droplet = s.body(s.call(c.droplets.get, droplet_id), "droplet")
        require(droplet.get("id") == droplet_id, f"got droplet {droplet.get('id')}, wanted {droplet_id}")
        require(droplet.get("name") == DROPLET_NAME, f"droplet.name is {droplet.get('name')!r}")
        require(DROPLET_TAG in (droplet.get("tags") or []), f"droplet.tags is {droplet.get('tags')!r}")
        for field in ("region", "size", "image", "networks"):
            require(isinstance(droplet.get(field), dict), f"droplet.{field} not an object")

    s.run("droplets.get", droplets_get, needs=need_droplet)

    def droplets_list_by_tag():
        droplets = check_collection(s, s.call(c.droplets.list, tag_name=DROPLET_TAG), "droplets")
        ids = [d.get("id") for d in droplets]
        require(droplet_id in ids, f"droplet {droplet_id} not in tag_name={DROPLET_TAG} list {ids}")
        others = [d.get("id") for d in droplets if DROPLET_TAG not in (d.get("tags") or [])]
        require(not others, f"droplets without tag {DROPLET_TAG} listed: {others}")

    s.run("droplets.list(tag_name)", droplets_list_by_tag, needs=need_droplet)

    def power_off():
        action = s.body(s.call(c.droplet_actions.post, droplet_id, body={"type": "power_off"}), "action")
        require(s.last_status == 201, f"expected HTTP 201, got {s.last_status}")
        require(is_int(action.get("id")), f"action.id not an int: {short(action)}")
        require(action.get("type") == "power_off", f"action.type is {action.get('type')!r}")
        require(action.get("status") in ("in-progress", "completed"), f"action.status is {action.get('status')!r}")
        require(action.get("resource_id") == droplet_id, f"action.resource_id is {action.get('resource_id')!r}")
        require(action.get("resource_type") == "droplet", f"action.resource_type is {action.get('resource_type')!r}")
        return action["id"]

    action_id = s.run("droplet_actions.post(power_off)", power_off, needs=need_droplet)

    def actions_get():
        action = s.body(s.call(c.actions.get, action_id), "action")
        require(action.get("id") == action_id, f"got action {action.get('id')}, wanted {action_id}")
        require(action.get("type") == "power_off", f"action.type is {action.get('type')!r}")

    s.run("actions.get", actions_get, needs=(("droplet_actions.post", action_id),))

    def droplet_actions_get():
        action = s.body(s.call(c.droplet_actions.get, droplet_id, action_id), "action")
        require(action.get("id") == action_id, f"got action {action.get('id')}, wanted {action_id}")

    s.run("droplet_actions.get", droplet_actions_get, needs=(("droplet_actions.post", action_id),))

    # -- domains ----------------------------------------------------------------------------

    def domains_create():
        domain = s.body(s.call(c.domains.create, body={"name": DOMAIN}), "domain")
        require(s.last_status == 201, f"expected HTTP 201, got {s.last_status}")
        require(domain.get("name") == DOMAIN, f"domain.name is {domain.get('name')!r}")
        created["domain"] = DOMAIN
        return DOMAIN

    domain = s.run("domains.create", domains_create)
    need_domain = (("domains.create", domain),)

    def create_record(body):
        def check():
            record = s.body(s.call(c.domains.create_record, DOMAIN, body=body), "domain_record")
            require(s.last_status == 201, f"expected HTTP 201, got {s.last_status}")
            require(is_int(record.get("id")), f"domain_record.id not an int: {short(record)}")
            for field in ("type", "name"):
                require(record.get(field) == body[field], f"domain_record.{field} is {record.get(field)!r}")
            # DigitalOcean returns hostname data (CNAME, MX, NS, SRV) without the trailing dot
            # it requires on write.
            expected = body["data"].rstrip(".") if body["type"] in ("CNAME", "MX", "NS", "SRV") else body["data"]
            require(record.get("data") == expected, f"domain_record.data is {record.get('data')!r}, expected {expected!r}")
            require(is_int(record.get("ttl")), f"domain_record.ttl not an int: {short(record)}")
            return record["id"]

        return check

    a_id = s.run(
        "domains.create_record(A)",
        create_record({"type": "A", "name": "www", "data": "203.0.113.10", "ttl": 1800}),
        needs=need_domain,
    )
    cname_id = s.run(
        "domains.create_record(CNAME)",
        create_record({"type": "CNAME", "name": "alias", "data": "www.pydo-smoke.test.", "ttl": 1800}),
        needs=need_domain,
    )

    def list_records():
        records = check_collection(s, s.call(c.domains.list_records, DOMAIN, per_page=200), "domain_records")
        ids = [r.get("id") for r in records]
        for rid in (a_id, cname_id):
            require(rid in ids, f"record {rid} not listed in {ids}")

    s.run(
        "domains.list_records",
        list_records,
        needs=need_domain + (("create_record(A)", a_id), ("create_record(CNAME)", cname_id)),
    )

    def delete_record():
        s.expect_no_content(s.call(c.domains.delete_record, DOMAIN, cname_id))
        records = s.body(s.call(c.domains.list_records, DOMAIN, per_page=200), "domain_records")
        ids = [r.get("id") for r in records]
        require(cname_id not in ids, f"deleted record {cname_id} still listed")
        require(a_id in ids, f"record {a_id} vanished with the delete of {cname_id}")

    s.run("domains.delete_record", delete_record, needs=(("create_record(CNAME)", cname_id),))

    def domains_delete():
        s.expect_no_content(s.call(c.domains.delete, DOMAIN))
        created.pop("domain", None)
        gone = s.call(c.domains.get, DOMAIN)  # pydo returns the 404 body rather than raising
        require(s.last_status == 404, f"domain still readable after delete (HTTP {s.last_status})")
        require(isinstance(gone, dict) and gone.get("id") == "not_found", f"404 body is {short(gone)}")

    s.run("domains.delete", domains_delete, needs=need_domain)

    # -- tags -------------------------------------------------------------------------------

    def tags_create():
        tag = s.body(s.call(c.tags.create, body={"name": EXTRA_TAG}), "tag")
        require(s.last_status == 201, f"expected HTTP 201, got {s.last_status}")
        require(tag.get("name") == EXTRA_TAG, f"tag.name is {tag.get('name')!r}")
        require(isinstance(tag.get("resources"), dict), f"tag.resources not an object: {short(tag)}")
        created["tag"] = EXTRA_TAG
        return EXTRA_TAG

    tag = s.run("tags.create", tags_create)

    def tags_assign():
        body = {"resources": [{"resource_id": str(droplet_id), "resource_type": "droplet"}]}
        s.expect_no_content(s.call(c.tags.assign_resources, EXTRA_TAG, body=body))
        droplet = s.body(s.call(c.droplets.get, droplet_id), "droplet")
        require(EXTRA_TAG in (droplet.get("tags") or []), f"droplet.tags is {droplet.get('tags')!r}")
        listed = s.body(s.call(c.droplets.list, tag_name=EXTRA_TAG), "droplets")
        require(droplet_id in [d.get("id") for d in listed], f"droplet not listed under tag {EXTRA_TAG}")

    s.run("tags.assign_resources", tags_assign, needs=(("tags.create", tag),) + need_droplet)

    def droplets_destroy():
        s.expect_no_content(s.call(c.droplets.destroy, droplet_id))
        created.pop("droplet", None)

    s.run("droplets.destroy", droplets_destroy, needs=need_droplet)

    def tags_delete():
        s.expect_no_content(s.call(c.tags.delete, EXTRA_TAG))
        created.pop("tag", None)

    s.run("tags.delete", tags_delete, needs=(("tags.create", tag),))

    # -- billing ----------------------------------------------------------------------------

    def balance_get():
        balance = s.call(c.balance.get)
        require(s.last_status == 200, f"expected HTTP 200, got {s.last_status}: {short(balance)}")
        require(isinstance(balance, dict), f"balance is {short(balance)}")
        for field in ("month_to_date_balance", "account_balance", "month_to_date_usage", "generated_at"):
            require(isinstance(balance.get(field), str), f"balance.{field} not a string: {short(balance)}")

    s.run("balance.get", balance_get)

    def billing_history_list():
        result = s.call(c.billing_history.list)
        require(s.last_status == 200, f"expected HTTP 200, got {s.last_status}: {short(result)}")
        items = s.body(result, "billing_history")
        require(isinstance(items, list), f"billing_history is not a list: {short(items)}")
        for item in items:
            require(isinstance(item.get("amount"), str), f"billing_history amount not a string: {short(item)}")

    s.run("billing_history.list", billing_history_list)

    def invoices_list():
        result = s.call(c.invoices.list)
        invoices = check_collection(s, result, "invoices")
        for invoice in invoices:
            require(isinstance(invoice.get("invoice_uuid"), str), f"invoice without invoice_uuid: {short(invoice)}")
            require(isinstance(invoice.get("amount"), str), f"invoice amount not a string: {short(invoice)}")
        require(isinstance(result.get("invoice_preview"), dict), "no invoice_preview object")

    s.run("invoices.list", invoices_list)


def cleanup(s, created):
    """Best effort, not counted: remove what a failed run left behind."""
    c = s.client
    steps = []
    if "droplet" in created:
        steps.append(("droplet", lambda: s.call(c.droplets.destroy, created["droplet"])))
    if "domain" in created:
        steps.append(("domain", lambda: s.call(c.domains.delete, created["domain"])))
    if "tag" in created:
        steps.append(("tag", lambda: s.call(c.tags.delete, created["tag"])))
    for what, step in steps:
        try:
            step()
            print(f"# cleanup: deleted {what}", flush=True)
        except Exception as exc:  # noqa: BLE001
            print(f"# cleanup: could not delete {what}: {type(exc).__name__}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:9000 (no /v2)")
    parser.add_argument("--token", required=True, help="bearer token the endpoint accepts")
    parser.add_argument("--ca-file", help="PEM to trust for an https base URL (self-signed simulator)")
    parser.add_argument("--insecure", action="store_true", help="https without certificate verification")
    parser.add_argument("--timeout", type=float, default=10.0, help="connect/read timeout in seconds")
    args = parser.parse_args(argv)

    url = urllib.parse.urlsplit(args.base_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        parser.error("--base-url must be an absolute http:// or https:// URL")
    endpoint = args.base_url.rstrip("/")

    client_options = {
        "retry_total": 0,
        "connection_timeout": args.timeout,
        "read_timeout": args.timeout,
    }
    if args.ca_file:
        client_options["connection_verify"] = args.ca_file
    elif args.insecure:
        client_options["connection_verify"] = False
    call_options = {}
    if url.scheme == "http":
        call_options["enforce_https"] = False

    smoke_state = Smoke(None, call_options)
    client = pydo.Client(
        token=args.token, endpoint=endpoint, raw_response_hook=smoke_state.on_response, **client_options
    )
    smoke_state.client = client
    version = getattr(getattr(pydo, "_version", None), "VERSION", "?")
    print(f"# pydo {version} -> {endpoint}" + (" (http: enforce_https=False per call)" if call_options else ""))

    created = {}  # what to clean up if a check fails half-way
    try:
        smoke(smoke_state, created)
    finally:
        cleanup(smoke_state, created)
    print(f"{smoke_state.passed} passed, {smoke_state.failed} failed")
    return 1 if smoke_state.failed else 0


if __name__ == "__main__":
    sys.exit(main())
