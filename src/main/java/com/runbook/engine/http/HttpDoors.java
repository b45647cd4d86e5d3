package com.runbook.engine.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.core.Door;
import com.runbook.engine.core.Doors;
import com.runbook.engine.core.Reply;
import com.runbook.engine.core.Request;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Serves the doors features open: one platform-http route each, the token checked, replies and refusals mapped. */
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
                Http.endpoint(this, door.id(), door.method().name(), door.path(),
                        door.access() == Door.Access.TOKEN ? token : null, e -> answer(e, door.handler()));
            }
        });
    }

    private static Object answer(Exchange exchange, Door.Handler handler) throws Exception {
        Reply reply = handler.handle(new ExchangeRequest(exchange));
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, Http.status(reply.outcome()));
        return reply.body();
    }

    /** A {@link Request} read from a platform-http exchange. */
    private record ExchangeRequest(Exchange exchange) implements Request {
        @Override
        public String path(String name) {
            return Http.header(exchange, name);
        }

        @Override
        public String query(String name) {
            return Http.header(exchange, name);
        }

        @Override
        public String header(String name) {
            return Http.requestHeader(exchange, name);
        }

        @Override
        public byte[] body() {
            return Http.body(exchange);
        }

        @Override
        public JsonNode json() {
            return Http.jsonObject(exchange);
        }

        @Override
        public Map<String, Object> form() {
            if (!Http.isForm(exchange)) {
                return null;
            }
            Map<?, ?> fields = exchange.getMessage().getBody(Map.class);
            Map<String, Object> form = new LinkedHashMap<>();
            if (fields != null) {
                fields.forEach((k, v) -> form.put(k.toString(), v));
            }
            return form;
        }
    }
}
