package com.runbook.engine.http;

import com.runbook.engine.core.Door;
import com.runbook.engine.core.Doors;
import com.runbook.engine.core.Identities;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;


/**
 * Serves doors: the one place that builds platform-http routes for them, one route each (its id the door's), the
 * caller authenticated and its role checked unless the door is {@link Door.Access#OPEN}, replies and refusals mapped to status codes by {@link Http}.
 */
public final class HttpDoors implements Doors {
    private final CamelContext camel;
    private final Identities identities;

    public HttpDoors(CamelContext camel, Identities identities) {
        this.camel = camel;
        this.identities = identities;
    }

    @Override
    public void open(Door door) throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                serve(this, door, identities);
            }
        });
    }

    /** Adds the route serving {@code door} to {@code routes}. */
    static void serve(RouteBuilder routes, Door door, Identities identities) {
        routes.from("platform-http:" + door.path() + "?httpMethodRestrict=" + door.method().name())
                .routeId(door.id())
                .process(exchange -> Http.respond(exchange, door, identities));
    }
}
