package com.runbook.engine.dns;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Google Cloud DNS API v1: {@code GET .../managedZones/{zone}/rrsets?name=&type=} to read, {@code POST
 * .../managedZones/{zone}/changes} (changes.create) with the old record set in {@code deletions} and the new one in
 * {@code additions}, so the swap is atomic. OAuth 2 access token as bearer.
 */
final class GoogleCloudDnsProvider implements DnsProvider {
    private final String zoneUrl;
    private final String zone;
    private final String token;
    private final Duration timeout;

    GoogleCloudDnsProvider(String baseUrl, String project, String managedZone, String token, Duration timeout) {
        this.zoneUrl = baseUrl.replaceAll("/+$", "") + "/projects/" + project + "/managedZones/" + managedZone;
        this.zone = project + "/" + managedZone;
        this.token = token;
        this.timeout = timeout;
    }

    @Override
    public String id() {
        return "google";
    }

    @Override
    public String location() {
        return "Google Cloud DNS zone " + zone;
    }

    @Override
    public Optional<DnsRecord> read(String name, String type) {
        String fqdn = DnsRecord.fqdn(name);
        JsonNode json = JsonHttp.send("Google Cloud DNS read of " + fqdn, "GET", zoneUrl + "/rrsets?name="
                + URLEncoder.encode(fqdn, StandardCharsets.UTF_8) + "&type=" + type, token, null, timeout);
        JsonNode first = json.path("rrsets").path(0);
        if (first.isMissingNode() || first.path("rrdatas").path(0).isMissingNode()) {
            return Optional.empty();
        }
        return Optional.of(new DnsRecord(name, type, first.path("ttl").asLong(), first.path("rrdatas").path(0).asText(), null));
    }

    @Override
    public void replace(DnsRecord current, DnsRecord next) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "dns#change");
        body.put("additions", List.of(rrset(next)));
        body.put("deletions", List.of(rrset(current)));
        JsonNode json = JsonHttp.send("Google Cloud DNS change of " + next.name(), "POST", zoneUrl + "/changes", token,
                body, timeout);
        if (json.path("id").isMissingNode()) {
            throw new DnsException(DnsException.Kind.FAILED, "Google Cloud DNS change of " + next.name() + " failed: no change id in the answer");
        }
    }

    private static Map<String, Object> rrset(DnsRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "dns#resourceRecordSet");
        m.put("name", r.name());
        m.put("type", r.type());
        m.put("ttl", r.ttl());
        m.put("rrdatas", List.of(r.value()));
        return m;
    }
}
