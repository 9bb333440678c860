import Crypto
import Foundation
import Mustache

/// The dashboard's pages, as Mustache templates (`{{x}}` is HTML-escaped; only `{{{body}}}`, a
/// page this library rendered, is not).
enum DashboardTemplates {
    /// The library of every page, parsed once.
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in [
            ("layout", layout), ("login", login), ("sagas", sagas), ("saga", saga), ("inventory", inventory), ("drift", drift),
            ("error", error), ("tenants", tenants), ("tenant", tenant), ("invoice", invoice), ("margin", margin),
        ] {
            try library.register(text, named: name)
        }
        return library
    }

    /// The live update: while the page's `#live` part shows something running, fetch the page
    /// again each second and swap that part; a session that ended (a redirect to the login page)
    /// stops it and goes to log in.
    static let script = """
        (function(){let live=document.getElementById('live');
        async function tick(){if(!live||live.dataset.terminal==='true')return;
        try{const r=await fetch(location.href,{credentials:'same-origin'});
        if(r.redirected){location.href='/ui/login';return;}
        if(r.ok){const next=new DOMParser().parseFromString(await r.text(),'text/html').getElementById('live');
        if(!next){location.href='/ui/login';return;}
        live.replaceWith(next);live=next;}}catch(e){}
        setTimeout(tick,1000);}
        setTimeout(tick,1000);})();
        """

    /// The CSP source of ``script``: its SHA-256, base64.
    static let scriptHash = "sha256-" + Data(SHA256.hash(data: Data(script.utf8))).base64EncodedString()

    static let layout = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>{{title}} · Arcadia</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1c2430;background:#f6f7f9}
        header{display:flex;gap:1.5em;align-items:center;padding:.6em 1.5em;background:#0b2545;color:#fff}
        header a{color:#cfe3ff;text-decoration:none}header .brand{font-weight:700;color:#fff}
        header nav{display:flex;gap:1em;flex:1}header form{margin:0}
        main{padding:1em 1.5em;max-width:1200px}
        table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #e3e6ea;vertical-align:top}
        th{background:#eef1f5;font-weight:600}
        .status{padding:.05em .5em;border-radius:.8em;background:#e3e6ea;font-size:.9em}
        .completed,.succeeded{background:#d3f4dc}.running,.pending,.waiting,.compensating{background:#dbe9ff}
        .rolled_back,.compensated{background:#fff0c2}.failed,.killed,.compensation_failed{background:#ffd6d6}
        .filters a{margin-right:.8em}.filters a.active{font-weight:700}
        .timeline .row{display:grid;grid-template-columns:16em 1fr 20em;gap:.8em;align-items:center;margin:.25em 0}
        .track{position:relative;height:1em;background:#eef1f5;border-radius:3px}
        .bar{position:absolute;top:0;height:1em;border-radius:3px;min-width:2px;background:#7aa7e8}
        .bar.completed{background:#3fb463}.bar.failed,.bar.compensation_failed{background:#e05252}.bar.compensated{background:#e0b43f}
        .error{color:#a11;white-space:pre-wrap}.flash{background:#fff0c2;padding:.5em}
        pre{background:#fff;padding:.6em;overflow:auto;border:1px solid #e3e6ea}
        form.inline{display:inline}label{display:block;margin:.4em 0}textarea,input[type=text],input[type=password],select{width:100%;max-width:40em}
        </style></head><body>
        <header><a class="brand" href="/ui/sagas">Arcadia</a>
        <nav>{{#reader}}<a href="/ui/sagas">Sagas</a><a href="/ui/inventory">Inventory</a><a href="/ui/drift">Drift</a>
        <a href="/ui/tenants">Tenants</a><a href="/ui/margin">Margin</a>{{/reader}}
        {{^reader}}{{#signedIn}}<a href="/ui/tenants/{{ownTenant}}">My invoices</a>{{/signedIn}}{{/reader}}</nav>
        {{#signedIn}}<span>{{tokenName}} ({{role}})</span>
        <form method="post" action="/ui/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button id="logout">Log out</button></form>{{/signedIn}}
        </header>
        <main>{{#flash}}<p class="flash" id="flash">{{flash}}</p>{{/flash}}{{{body}}}</main>
        <script>\(script)</script>
        </body></html>
        """

    static let login = """
        <h1>Log in</h1>
        <p>Paste an API token (<code>arcadia token create --role operator</code>). It is checked once; the browser then holds a session cookie, not the token.</p>
        <form method="post" action="/ui/login">
        <input type="hidden" name="csrf" value="{{loginCSRF}}">
        <label>API token <input type="password" name="token" id="token" autocomplete="off" required></label>
        <button type="submit" id="login">Log in</button></form>
        """

    static let sagas = """
        <div id="live" data-terminal="{{settled}}">
        <h1>Sagas</h1>
        <p class="filters">{{#filters}}<a href="/ui/sagas{{query}}" class="{{#active}}active{{/active}}">{{label}}</a>{{/filters}}</p>
        <table id="sagas"><thead><tr><th>Saga</th><th>Template</th><th>Status</th><th>Step</th><th>Created</th><th>Error</th></tr></thead><tbody>
        {{#sagas}}<tr><td><a href="/ui/sagas/{{id}}">{{shortID}}</a></td><td>{{template}}</td><td><span class="status {{status}}">{{status}}</span></td>
        <td>{{step}}</td><td>{{created}}</td><td>{{error}}</td></tr>{{/sagas}}
        {{^sagas}}<tr><td colspan="6">No sagas{{#filtered}} with this status{{/filtered}}.</td></tr>{{/sagas}}
        </tbody></table>
        {{#nextCursor}}<p><a href="/ui/sagas?{{statusQuery}}cursor={{nextCursor}}">Older sagas</a></p>{{/nextCursor}}
        </div>
        {{#canOperate}}<h2>Start a saga</h2>
        <form method="post" action="/ui/sagas" id="start-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Template <select name="template" id="template">{{#templates}}<option value="{{name}}">{{name}}: {{summary}}</option>{{/templates}}</select></label>
        <label>Inputs, one <code>key=value</code> per line <textarea name="inputs" id="inputs" rows="4"></textarea></label>
        <label>Idempotency key (optional) <input type="text" name="idempotency_key" id="idempotency_key"></label>
        <button type="submit" id="start">Start</button></form>
        <details><summary>Template inputs</summary><ul>{{#templates}}<li><b>{{name}}</b>: {{#inputs}}{{.}}; {{/inputs}}{{^inputs}}no inputs{{/inputs}}</li>{{/templates}}</ul></details>
        {{/canOperate}}
        """

    static let saga = """
        <div id="live" data-terminal="{{terminal}}">
        <h1>{{template}} <span class="status {{status}}" id="saga-status">{{status}}</span></h1>
        <table><tbody>
        <tr><th>Saga</th><td>{{id}}</td></tr><tr><th>Kind</th><td>{{kind}}</td></tr>
        <tr><th>Step</th><td>{{step}}</td></tr><tr><th>Created</th><td>{{created}}</td></tr><tr><th>Finished</th><td>{{finished}}</td></tr>
        {{#error}}<tr><th>Error</th><td class="error">{{error}}</td></tr>{{/error}}
        {{#cancelRequested}}<tr><th>Cancel</th><td>requested</td></tr>{{/cancelRequested}}
        {{#idempotencyKey}}<tr><th>Idempotency key</th><td>{{idempotencyKey}}</td></tr>{{/idempotencyKey}}
        {{#locks}}<tr><th>Lock keys</th><td>{{locks}}</td></tr>{{/locks}}
        {{#blockedBy}}<tr><th>Waits for</th><td>{{key}}: held by <a href="/ui/sagas/{{sagaId}}">{{sagaId}}</a> ({{template}}, {{status}})</td></tr>{{/blockedBy}}
        </tbody></table>
        {{#canOperate}}<p class="actions">{{#actions}}<form class="inline" method="post" action="/ui/sagas/{{id}}/{{action}}">
        <input type="hidden" name="csrf" value="{{csrf}}"><button id="action-{{action}}">{{label}}</button></form> {{/actions}}</p>{{/canOperate}}
        <h2>Steps</h2>
        <div class="timeline" id="timeline">{{#steps}}<div class="row step-{{status}}"><span>{{index}}. {{name}}</span>
        <span class="track"><span class="bar {{status}}" style="left:{{offset}}%;width:{{width}}%"></span></span>
        <span>{{status}}{{#attempts}} · {{attempts}} attempt(s){{/attempts}}{{#compensation}} · {{compensation}}{{/compensation}}{{#duration}} · {{duration}}{{/duration}}</span>
        {{#error}}<div class="error">{{error}}</div>{{/error}}</div>{{/steps}}</div>
        <h2>Inputs</h2><pre id="inputs">{{inputs}}</pre>
        <h2>Context</h2><pre id="context">{{context}}</pre>
        <h2>Events</h2>
        <table id="events"><thead><tr><th>At</th><th>Event</th><th>Step</th><th>Detail</th></tr></thead><tbody>
        {{#events}}<tr><td>{{at}}</td><td>{{kind}}</td><td>{{step}}</td><td>{{detail}}</td></tr>{{/events}}
        </tbody></table>
        </div>
        """

    static let inventory = """
        <h1>Inventory</h1>
        <p>{{#lastSync}}Last sync: {{lastSync}}.{{/lastSync}}{{^lastSync}}Never synced.{{/lastSync}}</p>
        {{#canSync}}<form method="post" action="/ui/inventory/sync"><input type="hidden" name="csrf" value="{{csrf}}"><button id="sync">Sync now</button></form>{{/canSync}}
        <p class="filters"><a href="/ui/inventory" class="{{#allKinds}}active{{/allKinds}}">all ({{total}})</a>
        {{#kinds}}<a href="/ui/inventory?kind={{name}}" class="{{#active}}active{{/active}}">{{name}} ({{count}})</a>{{/kinds}}
        <a href="/ui/inventory?{{#kind}}kind={{kind}}&amp;{{/kind}}deleted=1">with deleted</a></p>
        <table id="resources"><thead><tr><th>Kind</th><th>Name</th><th>Id</th><th>Region</th><th>Size</th><th>Status</th><th>Managed</th>
        <th>Deployment</th><th>$/hour</th><th>First seen</th><th>Last seen</th><th>Missed</th></tr></thead><tbody>
        {{#resources}}<tr><td>{{kind}}</td><td>{{name}}</td><td>{{providerID}}</td><td>{{region}}</td><td>{{size}}</td><td>{{status}}</td><td>{{managed}}</td>
        <td>{{deployment}}</td><td>{{price}}</td><td>{{firstSeen}}</td><td>{{lastSeen}}</td><td>{{missed}}</td></tr>{{/resources}}
        {{^resources}}<tr><td colspan="12">No resources.</td></tr>{{/resources}}
        </tbody></table>
        """

    static let drift = """
        <h1>Drift</h1>
        <p>{{inSync}} in sync, {{unverified}} unverified. {{#lastSync}}Last sync: {{lastSync}}.{{/lastSync}}{{^lastSync}}Never synced: drift is known after a sync.{{/lastSync}}</p>
        {{#groups}}<h2 id="drift-{{name}}">{{title}} ({{count}})</h2>
        <table><thead><tr><th>Kind</th><th>Name</th><th>Id</th><th>Deployment</th><th>Saga</th><th>Detail</th></tr></thead><tbody>
        {{#items}}<tr><td>{{kind}}</td><td>{{name}}</td><td>{{providerID}}</td><td>{{deployment}}</td><td>{{#saga}}<a href="/ui/sagas/{{saga}}">{{saga}}</a>{{/saga}}</td>
        <td>{{detail}}{{#changes}}<br>{{field}}: {{desired}} → {{actual}}{{/changes}}</td></tr>{{/items}}
        {{^items}}<tr><td colspan="6">None.</td></tr>{{/items}}
        </tbody></table>{{/groups}}
        """

    static let error = """
        <h1>{{heading}}</h1><p class="error" id="error">{{message}}</p>{{#details}}<p>{{.}}</p>{{/details}}
        <p><a href="{{back}}">Back</a></p>
        """

    static let tenants = """
        <h1>Tenants</h1>
        <table id="tenants"><thead><tr><th>Tenant</th><th>Name</th><th>Status</th><th>Currency</th><th>Billing email</th></tr></thead><tbody>
        {{#tenants}}<tr><td><a href="/ui/tenants/{{id}}">{{id}}</a></td><td>{{name}}</td><td><span class="status {{status}}">{{status}}</span></td>
        <td>{{currency}}</td><td>{{email}}</td></tr>{{/tenants}}
        {{^tenants}}<tr><td colspan="5">No tenants (arcadia tenant create).</td></tr>{{/tenants}}
        </tbody></table>
        """

    static let tenant = """
        <div id="live" data-terminal="{{settled}}">
        <h1>{{name}} <span class="status {{status}}" id="tenant-status">{{status}}</span></h1>
        <p>{{id}} · {{email}} · {{currency}}</p>
        {{#canAdminister}}<p class="actions">{{#actions}}<form class="inline" method="post" action="/ui/tenants/{{id}}/{{action}}">
        <input type="hidden" name="csrf" value="{{csrf}}"><button id="tenant-{{action}}">{{label}}</button></form> {{/actions}}</p>{{/canAdminister}}
        <h2>Deployments</h2>
        <table id="deployments"><thead><tr><th>Deployment</th><th>Plan</th><th>Region</th><th>Status</th><th>Created</th><th>Ended</th><th>Last lifecycle saga</th></tr></thead><tbody>
        {{#deployments}}<tr><td>{{id}}</td><td>{{plan}}</td><td>{{region}}</td><td><span class="status {{status}}">{{status}}</span></td><td>{{created}}</td><td>{{ended}}</td>
        <td>{{#saga}}{{#reader}}<a href="/ui/sagas/{{saga}}">{{template}}</a>{{/reader}}{{^reader}}{{template}}{{/reader}} {{sagaStatus}}{{/saga}}</td></tr>{{/deployments}}
        {{^deployments}}<tr><td colspan="7">No deployments.</td></tr>{{/deployments}}
        </tbody></table>
        </div>
        <h2>Invoices</h2>
        <table id="invoices"><thead><tr><th>Period</th><th>Number</th><th>Status</th><th>Total</th></tr></thead><tbody>
        {{#invoices}}<tr><td><a href="/ui/invoices/{{tenant}}/{{period}}">{{period}}</a></td><td>{{number}}</td><td>{{status}}</td><td>{{total}} {{currency}}</td></tr>{{/invoices}}
        {{^invoices}}<tr><td colspan="4">No invoices yet.</td></tr>{{/invoices}}
        </tbody></table>
        {{#canAdminister}}<form method="post" action="/ui/invoices/generate"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="tenant" value="{{id}}"><label>Period (YYYY-MM) <input type="text" name="period" id="period" value="{{currentPeriod}}"></label>
        <button id="generate">Generate draft invoice</button></form>{{/canAdminister}}
        """

    static let invoice = """
        <h1>Invoice {{#number}}#{{number}}{{/number}}{{^number}}(draft){{/number}} · {{tenant}} · {{period}}</h1>
        <p>Status: <span class="status {{status}}" id="invoice-status">{{status}}</span> · Total: <b id="invoice-total">{{total}} {{currency}}</b>
        · <a href="/ui/invoices/{{tenant}}/{{period}}?format=csv">CSV</a></p>
        {{#canFinalize}}<form method="post" action="/ui/invoices/{{tenant}}/{{period}}/finalize"><input type="hidden" name="csrf" value="{{csrf}}">
        <button id="finalize">Finalize (numbered, never changed again)</button></form>{{/canFinalize}}
        <table id="lines"><thead><tr><th>Deployment</th><th>What</th><th>Size</th><th>From</th><th>To</th><th>Quantity</th><th>Unit price</th><th>Amount</th><th>Card</th></tr></thead><tbody>
        {{#lines}}<tr><td>{{deployment}}</td><td>{{what}}</td><td>{{size}}</td><td>{{from}}</td><td>{{to}}</td><td>{{quantity}} {{unit}}</td><td>{{unitPrice}}</td>
        <td>{{amount}}</td><td>{{card}}{{#note}} ({{note}}){{/note}}</td></tr>{{/lines}}
        {{^lines}}<tr><td colspan="9">No lines.</td></tr>{{/lines}}
        </tbody></table>
        """

    static let margin = """
        <h1>Margin · {{period}}</h1>
        <form method="get" action="/ui/margin"><label>Period (YYYY-MM) <input type="text" name="period" value="{{period}}"></label><button>Show</button></form>
        <table id="margin"><thead><tr><th>Tenant</th><th>Deployment</th><th>Invoiced</th><th>DigitalOcean cost</th><th>Margin</th><th>Invoice</th></tr></thead><tbody>
        {{#rows}}<tr><td><a href="/ui/tenants/{{tenant}}">{{tenant}}</a></td><td>{{deployment}}</td><td>{{invoiced}}</td><td>{{cost}}</td><td>{{margin}}</td><td>{{status}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="6">No invoices for this period.</td></tr>{{/rows}}
        </tbody></table>
        """
}
