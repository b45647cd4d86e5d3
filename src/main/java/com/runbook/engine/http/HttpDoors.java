package com.runbook.engine.http;

import com.runbook.engine.core.Door;
import com.runbook.engine.core.Doors;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;

import java.util.function.Supplier;

/**
 * Serves doors: the one place that builds platform-http routes for them, one route each (its id the door's), the
 * token checked for {@link Door.Access#TOKEN} doors, replies and refusals mapped to status codes by {@link Http}.
 */
public final class HttpDoors implements Doors {
    private final CamelContext camel;
    private final Supplier<String> token;

    public HttpDoors(CamelContext camel, Supplier<String> token) {
        this.camel = camel;
        this.token = token;
    }

    @Override
    public void open(Door door) throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                serve(this, door, token);
            }
        });
    }

    /** Adds the route serving {@code door} to {@code routes}. */
    static void serve(RouteBuilder routes, Door door, Supplier<String> token) {
        Supplier<String> required = door.access() == Door.Access.TOKEN ? token : null;
        routes.from("platform-http:" + door.path() + "?httpMethodRestrict=" + door.method().name())
                .routeId(door.id())
                .process(exchange -> Http.respond(exchange, required, door.path(), door.handler()));
    }
}
