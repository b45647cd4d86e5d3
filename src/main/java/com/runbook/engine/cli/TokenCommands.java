package com.runbook.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code runbook token create|list|revoke}: personal API tokens of a running engine (admin; POST/GET /api/tokens).
 * A token is printed once, when it is created; {@code list} never shows one.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Manage personal API tokens (needs an admin's token): create, list, revoke.",
        subcommands = {TokenCommands.Create.class, TokenCommands.List.class, TokenCommands.Revoke.class})
final class TokenCommands {
    private TokenCommands() {
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a personal token and print it once (POST /api/tokens): it is not shown again.")
    static class Create implements Callable<Integer> {
        @Mixin
        OpsCommands.Remote remote;

        @Parameters(paramLabel = "NAME", description = "whose token: lower-case letters, digits, '.', '_', '-'")
        String name;

        @Option(names = "--role", required = true, paramLabel = "ROLE",
                description = "viewer (reads), operator (also runs, rehearses, acknowledges, retries pages) or admin "
                        + "(also the guarded runbooks and tokens)")
        String role;

        @Option(names = "--expires", paramLabel = "DURATION",
                description = "how long it works, e.g. 90d or 12h (default: until revoked)")
        String expires;

        @Override
        public Integer call() {
            ObjectNode body = Json.object().put("name", name).put("role", role);
            if (expires != null) {
                body.put("expires", expires);
            }
            JsonNode created = remote.client().post("/api/tokens", body);
            if (remote.json) {
                remote.print(created);
                return 0;
            }
            remote.out().println(created(created));
            remote.out().flush();
            return 0;
        }
    }

    /** What {@code token create} prints: the token, once, and how to use it. */
    static String created(JsonNode created) {
        String expiresAt = OpsCommands.text(created, "expiresAt");
        return "Created token '" + created.path("name").asText() + "' (" + created.path("role").asText() + ", "
                + (expiresAt == null ? "no expiry" : "expires " + OpsCommands.utc(expiresAt)) + "):\n\n  "
                + created.path("token").asText() + "\n\n"
                + "It will not be shown again: hand it to its holder now (they set RUNBOOK_API_TOKEN to it).";
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the personal tokens: name, role, status, created, by whom, expiry (GET /api/tokens); "
                    + "never a token.")
    static class List implements Callable<Integer> {
        @Mixin
        OpsCommands.Remote remote;

        @Override
        public Integer call() {
            return remote.show("/api/tokens", TokenCommands::table, "no personal tokens (create one: runbook token"
                    + " create <name> --role viewer|operator|admin)");
        }
    }

    static Table table(JsonNode tokens) {
        Table table = new Table("NAME", "ROLE", "STATUS", "CREATED (UTC)", "CREATED BY", "EXPIRES (UTC)",
                "REVOKED (UTC)");
        for (JsonNode t : tokens) {
            table.row(t.path("name").asText(), t.path("role").asText(), t.path("status").asText(),
                    OpsCommands.utc(OpsCommands.text(t, "createdAt")), OpsCommands.text(t, "createdBy"),
                    OpsCommands.utc(OpsCommands.text(t, "expiresAt")), OpsCommands.utc(OpsCommands.text(t, "revokedAt")));
        }
        return table;
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a personal token (POST /api/tokens/{name}/revoke): it stops working at once.")
    static class Revoke implements Callable<Integer> {
        @Mixin
        OpsCommands.Remote remote;

        @Parameters(paramLabel = "NAME", description = "the token's name")
        String name;

        @Override
        public Integer call() {
            JsonNode revoked = remote.client().post("/api/tokens/" + URLEncoder.encode(name, StandardCharsets.UTF_8)
                    .replace("+", "%20") + "/revoke", null);
            if (remote.json) {
                remote.print(revoked);
                return 0;
            }
            remote.out().println("Revoked token '" + revoked.path("name").asText() + "' at "
                    + OpsCommands.utc(revoked.path("revokedAt").asText()) + ": it no longer works.");
            remote.out().flush();
            return 0;
        }
    }
}
