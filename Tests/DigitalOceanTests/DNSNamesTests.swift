import Testing

@testable import DigitalOcean

/// Record names and data between the forms DigitalOcean reads, writes and lists.
@Suite struct DNSNamesTests {
    @Test func namesAreRelativeToTheZoneAndFullyQualifiedForTheListFilter() {
        #expect(DNSNames.relativeName("www.Example.com.", domain: "example.com") == "www")
        #expect(DNSNames.relativeName("www", domain: "example.com.") == "www")
        #expect(DNSNames.relativeName("example.com", domain: "example.com") == "@")
        #expect(DNSNames.relativeName("", domain: "example.com") == "@")
        #expect(DNSNames.relativeName("_sip._tcp.example.com", domain: "example.com") == "_sip._tcp")
        #expect(DNSNames.fullyQualifiedName("@", domain: "Example.com") == "example.com")
        #expect(DNSNames.fullyQualifiedName("www", domain: "example.com") == "www.example.com")
    }

    @Test func hostNameDataGetsItsDotOnWriteAndIsComparedWithoutDotOrCase() {
        for type in ["CNAME", "MX", "NS", "SRV", "cname"] {
            #expect(DNSNames.dataForWrite(type: type, data: "host.example.net") == "host.example.net.", "\(type)")
            #expect(DNSNames.dataForWrite(type: type, data: "host.example.net.") == "host.example.net.")
            #expect(DNSNames.sameData(type: type, "Host.Example.net.", "host.example.net"))
        }
        #expect(DNSNames.dataForWrite(type: "CNAME", data: "@") == "@", "the apex stays @")
        #expect(DNSNames.dataForWrite(type: "A", data: "203.0.113.1") == "203.0.113.1")
        #expect(DNSNames.dataForWrite(type: "TXT", data: "v=spf1 -all") == "v=spf1 -all")
        #expect(!DNSNames.sameData(type: "TXT", "Hello", "hello"), "TXT data is case-sensitive")
        #expect(DNSNames.dataForWrite(type: "CAA", data: "letsencrypt.org", caaTag: "issue") == "letsencrypt.org.")
        #expect(DNSNames.dataForWrite(type: "CAA", data: "mailto:ops@example.com", caaTag: "iodef") == "mailto:ops@example.com")
    }
}
