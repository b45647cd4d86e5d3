package com.runbook.engine.http;

import com.runbook.engine.core.Door;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.core.Reply;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The web console: one HTML page (src/main/resources/console/index.html) served at {@code GET /}, which reads the
 * API with the browser's fetch, sending the personal token the user logged in with on every request (the front page:
 * jobs with Run now and Rehearse, schedules, the run history filtered by job and status with who started each run,
 * incidents, pages that gave up, windows; {@code /#run/<id>}: one run's facts, parameters, a dry run's plan, a bar per
 * step and its log, followed while it runs; {@code /#audit}: the audit trail, filtered, and the chain's verdict;
 * {@code /#tokens}, admins: the API tokens, create and revoke). The page offers only the buttons the token's role may
 * use (a job's Run now needs the job's {@code role}); the doors check every request anyway. The page logs in with
 * {@code GET /api/auth} (access/AccessModule: who holds the token and its role, nothing changed). Served here too:
 * {@code GET /api/runbooks}: the state of every file of routes/ and schedules/ (refused first).
 */
public final class ConsoleModule implements EngineModule {
    static final String PAGE = "console/index.html";

    @Override
    public void start(Parts parts) throws Exception {
        byte[] page = page();
        parts.camel().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/?httpMethodRestrict=GET").routeId("console-page").process(exchange -> {
                    exchange.getMessage().setHeaders(new java.util.HashMap<>());
                    exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
                    exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
                    exchange.getMessage().setHeader("Cache-Control", "no-cache");
                    exchange.getMessage().setHeader("Content-Security-Policy",
                            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'");
                    exchange.getMessage().setBody(page);
                });
            }
        });
        parts.doors().open(Door.read("api-runbooks", "/api/runbooks", r -> Reply.ok(parts.runbooks().states())));
    }

    static byte[] page() {
        try (InputStream in = ConsoleModule.class.getClassLoader().getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException(PAGE + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
