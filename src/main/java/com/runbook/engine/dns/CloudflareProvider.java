package com.runbook.engine.dns;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Cloudflare API v4: {@code GET /zones/{zone_id}/dns_records?type=&name=} to read, {@code PUT
 * /zones/{zone_id}/dns_records/{id}} to overwrite the record, bearer API token (scope Zone.DNS:Edit).
 */
final class CloudflareProvider implements DnsProvider {
    private final String baseUrl;
    private final String zoneId;
    private final String token;
    private final Duration timeout;

    CloudflareProvider(String baseUrl, String zoneId, String token, Duration timeout) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.zoneId = zoneId;
        this.token = token;
        this.timeout = timeout;
    }

    @Override
    public String id() {
        return "cloudflare";
    }

    @Override
    public String location() {
        return "Cloudflare zone " + zoneId;
    }

    @Override
    public Optional<DnsRecord> read(String name, String type) {
        DnsRecord probe = new DnsRecord(name, type, 0, type.equals("CNAME") ? "x." : "0.0.0.0", null);
        JsonNode json = JsonHttp.send("Cloudflare read of " + probe.name(), "GET", baseUrl + "/zones/" + zoneId
                + "/dns_records?type=" + type + "&name=" + URLEncoder.encode(probe.bareName(), StandardCharsets.UTF_8),
                token, null, timeout);
        JsonNode first = json.path("result").path(0);
        if (first.isMissingNode()) {
            return Optional.empty();
        }
        return Optional.of(new DnsRecord(name, type, first.path("ttl").asLong(), first.path("content").asText(),
                first.path("id").asText()));
    }

    @Override
    public void replace(DnsRecord current, DnsRecord next) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", next.type());
        body.put("name", next.bareName());
        body.put("content", next.type().equals("CNAME") ? next.value().substring(0, next.value().length() - 1) : next.value());
        body.put("ttl", next.ttl());
        body.put("proxied", false);
        JsonNode json = JsonHttp.send("Cloudflare update of " + next.name(), "PUT", baseUrl + "/zones/" + zoneId
                + "/dns_records/" + current.ref(), token, body, timeout);
        if (!json.path("success").asBoolean(false)) {
            throw new DnsException(DnsException.Kind.FAILED, "Cloudflare update of " + next.name() + " failed" + JsonHttp.errorText(json));
        }
    }
}
