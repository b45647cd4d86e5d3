package com.runbook.engine.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.RecordingApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Cloudflare and Google Cloud DNS providers send the documented requests (method, path, body, bearer token). */
class HttpProvidersTest {
    static final ObjectMapper JSON = new ObjectMapper();
    RecordingApi api;

    @BeforeEach
    void start() throws Exception {
        api = new RecordingApi();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void cloudflareReadsTheRecordAndPutsTheNewContent() throws Exception {
        api.answer("GET /client/v4/zones/zone123/dns_records", 200, "{\"success\":true,\"errors\":[],\"result\":[{\"id\":\"rec9\","
                + "\"type\":\"A\",\"name\":\"app.example.com\",\"content\":\"192.0.2.10\",\"ttl\":300,\"proxied\":false}]}");
        api.answer("PUT /client/v4/zones/zone123/dns_records/rec9", 200, "{\"success\":true,\"errors\":[],\"result\":{\"id\":\"rec9\"}}");
        CloudflareProvider p = new CloudflareProvider(api.url() + "/client/v4", "zone123", "cf-token", Duration.ofSeconds(5));

        DnsRecord current = p.read("app.example.com.", "A").orElseThrow();
        assertThat(current).isEqualTo(new DnsRecord("app.example.com.", "A", 300, "192.0.2.10", "rec9"));
        p.replace(current, current.withValue("198.51.100.20", 300));

        assertThat(api.requests).hasSize(2);
        RecordingApi.Request get = api.requests.get(0);
        assertThat(get.method()).isEqualTo("GET");
        assertThat(get.pathAndQuery()).isEqualTo("/client/v4/zones/zone123/dns_records?type=A&name=app.example.com");
        assertThat(get.authorization()).isEqualTo("Bearer cf-token");
        RecordingApi.Request put = api.requests.get(1);
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.pathAndQuery()).isEqualTo("/client/v4/zones/zone123/dns_records/rec9");
        assertThat(put.authorization()).isEqualTo("Bearer cf-token");
        assertThat(put.contentType()).isEqualTo("application/json");
        assertThat(JSON.readTree(put.body())).isEqualTo(JSON.readTree(
                "{\"type\":\"A\",\"name\":\"app.example.com\",\"content\":\"198.51.100.20\",\"ttl\":300,\"proxied\":false}"));
    }

    @Test
    void cloudflareErrorsAreReportedWithTheApisMessage() {
        api.answer("PUT /client/v4/zones/zone123/dns_records/rec9", 403, "{\"success\":false,\"errors\":[{\"code\":10000,"
                + "\"message\":\"Authentication error\"}]}");
        CloudflareProvider p = new CloudflareProvider(api.url() + "/client/v4", "zone123", "bad", Duration.ofSeconds(5));
        DnsRecord current = new DnsRecord("app.example.com", "A", 300, "192.0.2.10", "rec9");
        assertThatThrownBy(() -> p.replace(current, current.withValue("198.51.100.20", 300)))
                .isInstanceOf(DnsException.class)
                .hasMessage("Cloudflare update of app.example.com. failed: HTTP 403 (Authentication error)");
    }

    @Test
    void googleCreatesOneChangeWithTheDeletionAndTheAddition() throws Exception {
        String zone = "/dns/v1/projects/trading-prod/managedZones/example-com";
        api.answer("GET " + zone + "/rrsets", 200, "{\"rrsets\":[{\"kind\":\"dns#resourceRecordSet\",\"name\":\"app.example.com.\","
                + "\"type\":\"A\",\"ttl\":600,\"rrdatas\":[\"192.0.2.10\"]}]}");
        api.answer("POST " + zone + "/changes", 200, "{\"kind\":\"dns#change\",\"id\":\"42\",\"status\":\"pending\"}");
        GoogleCloudDnsProvider p = new GoogleCloudDnsProvider(api.url() + "/dns/v1", "trading-prod", "example-com", "ya29.token",
                Duration.ofSeconds(5));

        DnsRecord current = p.read("app.example.com", "A").orElseThrow();
        assertThat(current.value()).isEqualTo("192.0.2.10");
        assertThat(current.ttl()).isEqualTo(600);
        p.replace(current, current.withValue("198.51.100.20", 300));

        RecordingApi.Request get = api.requests.get(0);
        assertThat(get.pathAndQuery()).isEqualTo(zone + "/rrsets?name=app.example.com.&type=A");
        assertThat(get.authorization()).isEqualTo("Bearer ya29.token");
        RecordingApi.Request post = api.requests.get(1);
        assertThat(post.method()).isEqualTo("POST");
        assertThat(post.pathAndQuery()).isEqualTo(zone + "/changes");
        assertThat(post.authorization()).isEqualTo("Bearer ya29.token");
        JsonNode body = JSON.readTree(post.body());
        assertThat(body).isEqualTo(JSON.readTree("{\"kind\":\"dns#change\","
                + "\"additions\":[{\"kind\":\"dns#resourceRecordSet\",\"name\":\"app.example.com.\",\"type\":\"A\",\"ttl\":300,\"rrdatas\":[\"198.51.100.20\"]}],"
                + "\"deletions\":[{\"kind\":\"dns#resourceRecordSet\",\"name\":\"app.example.com.\",\"type\":\"A\",\"ttl\":600,\"rrdatas\":[\"192.0.2.10\"]}]}"));
    }

    @Test
    void googleErrorsAreReportedWithTheApisMessage() {
        String zone = "/dns/v1/projects/trading-prod/managedZones/example-com";
        api.answer("POST " + zone + "/changes", 412, "{\"error\":{\"code\":412,\"message\":\"Precondition not met for 'entity.change.deletions[0]'\"}}");
        GoogleCloudDnsProvider p = new GoogleCloudDnsProvider(api.url() + "/dns/v1", "trading-prod", "example-com", "t", Duration.ofSeconds(5));
        DnsRecord current = new DnsRecord("app.example.com", "A", 300, "192.0.2.10", null);
        assertThatThrownBy(() -> p.replace(current, current.withValue("198.51.100.20", 300)))
                .isInstanceOf(DnsException.class)
                .hasMessage("Google Cloud DNS change of app.example.com. failed: HTTP 412 (Precondition not met for 'entity.change.deletions[0]')");
    }
}
