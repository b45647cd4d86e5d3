package com.runbook.engine.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.http.ApiException;
import com.runbook.engine.http.Http;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.util.function.Supplier;

/** {@code POST /api/runbooks/dns-failover}, {@code POST /api/runbooks/dns-rollback}, {@code GET /api/dns/changes}. */
public class DnsApi extends RouteBuilder {
    private final Supplier<DnsFailover> failover;
    private final Supplier<String> token;

    public DnsApi(Supplier<DnsFailover> failover, Supplier<String> token) {
        this.failover = failover;
        this.token = token;
    }

    @Override
    public void configure() {
        Http.endpoint(this, "api-dns-failover", "POST", "/api/runbooks/dns-failover", token, this::failover);
        Http.endpoint(this, "api-dns-rollback", "POST", "/api/runbooks/dns-rollback", token,
                e -> failover.get().rollback("api"));
        Http.endpoint(this, "api-dns-changes", "GET", "/api/dns/changes", null,
                e -> failover.get().history(limit(Http.header(e, "limit"))));
    }

    private Object failover(Exchange exchange) {
        JsonNode body = Http.jsonObject(exchange);
        StringBuilder errors = new StringBuilder();
        JsonNode target = body.get("target");
        if (target == null || !target.isTextual() || target.asText().isBlank()) {
            errors.append("'target' is required: the name of a configured target; ");
        }
        boolean dryRun = flag(body, "dryRun", errors);
        boolean force = flag(body, "force", errors);
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("target") && !f.equals("dryRun") && !f.equals("force")) {
                errors.append("unknown field '").append(f).append("' (expected target, dryRun, force); ");
            }
        });
        if (errors.length() > 0) {
            throw new ApiException(400, errors.substring(0, errors.length() - 2));
        }
        return failover.get().failover(target.asText(), dryRun, force, "api");
    }

    static int limit(String text) {
        if (text == null || text.isBlank()) {
            return 50;
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit >= 1 && limit <= 1000) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ApiException(400, "limit must be a number between 1 and 1000, not '" + text + "'");
    }

    private static boolean flag(JsonNode body, String name, StringBuilder errors) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            errors.append("'").append(name).append("' must be true or false, not ").append(v).append("; ");
            return false;
        }
        return v.asBoolean();
    }
}
