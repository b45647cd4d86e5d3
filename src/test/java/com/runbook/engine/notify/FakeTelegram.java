package com.runbook.engine.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Telegram Bot API as camel-telegram calls it, on a loopback port: records every sendMessage and answers like
 * Telegram; a chat id of {@code 400} or {@code 503} gets that status (a refused and an unavailable request).
 */
public final class FakeTelegram implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public final List<JsonNode> sent = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    public FakeTelegram(String botToken) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/bot" + botToken + "/sendMessage", exchange -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            String chat = body.path("chat_id").asText();
            int status = chat.equals("400") || chat.equals("503") ? Integer.parseInt(chat) : 200;
            if (status == 200) {
                sent.add(body);
            }
            String answer = status == 200
                    ? "{\"ok\":true,\"result\":{\"message_id\":" + sent.size() + ",\"date\":0,\"chat\":{\"id\":1,\"type\":\"group\"},\"text\":" + JSON.writeValueAsString(body.path("text").asText()) + "}}"
                    : "{\"ok\":false,\"error_code\":" + status + ",\"description\":\"Bad Request: chat not found\"}";
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    public String baseUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The texts sent to one chat. */
    public List<String> textsTo(String chat) {
        return sent.stream().filter(m -> m.path("chat_id").asText().equals(chat)).map(m -> m.path("text").asText()).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
