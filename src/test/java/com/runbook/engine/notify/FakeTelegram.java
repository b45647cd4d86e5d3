package com.runbook.engine.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.LocalHttp;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * The Telegram Bot API as camel-telegram calls it, on a loopback port: records every sendMessage and answers like
 * Telegram; a chat id of {@code 400} or {@code 503} gets that status (a refused and an unavailable request). While
 * {@link #hang(boolean) hanging}, it reads each sendMessage and never answers it (until the fake is closed), like a Bot
 * API or proxy that accepts the connection and then stalls.
 */
public final class FakeTelegram implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public final List<JsonNode> sent = new CopyOnWriteArrayList<>();
    /** The sendMessage requests read while hanging, never answered. */
    public final List<JsonNode> held = new CopyOnWriteArrayList<>();
    private volatile boolean hanging;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final HttpServer server;

    public FakeTelegram(String botToken) throws IOException {
        server = LocalHttp.create();
        server.createContext("/bot" + botToken + "/sendMessage", exchange -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            String chat = body.path("chat_id").asText();
            if (hanging) {
                held.add(body);
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
            int status = chat.equals("400") || chat.equals("503") ? Integer.parseInt(chat) : 200;
            if (status == 200) {
                sent.add(body);
            }
            String answer = status == 200
                    ? "{\"ok\":true,\"result\":{\"message_id\":" + sent.size() + ",\"date\":0,\"chat\":{\"id\":1,\"type\":\"group\"},\"text\":" + JSON.writeValueAsString(body.path("text").asText()) + "}}"
                    : "{\"ok\":false,\"error_code\":" + status + ",\"description\":\"Bad Request: chat not found\"}";
            LocalHttp.respond(exchange, status, "application/json", answer);
        });
        server.createContext("/bot" + botToken + "/getUpdates", exchange -> {
            String query = exchange.getRequestURI().getQuery() == null ? "" : exchange.getRequestURI().getQuery();
            exchange.getRequestBody().readAllBytes();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("offset=(\\d+)").matcher(query);
            long offset = m.find() ? Long.parseLong(m.group(1)) : 0;
            StringBuilder result = new StringBuilder();
            for (int i = 0; i < updates.size(); i++) {
                if (i + 1 >= offset) {
                    result.append(result.length() == 0 ? "" : ",").append(updates.get(i));
                }
            }
            LocalHttp.respond(exchange, 200, "application/json", "{\"ok\":true,\"result\":[" + result + "]}");
        });
        server.start();
    }

    private final List<String> updates = new CopyOnWriteArrayList<>();

    /** Queues an incoming message for the bot's getUpdates (update ids 1, 2, ...). */
    public void receive(String chat, String username, String text) throws IOException {
        int id = updates.size() + 1;
        updates.add("{\"update_id\":" + id + ",\"message\":{\"message_id\":" + (100 + id) + ",\"date\":0,\"text\":"
                + JSON.writeValueAsString(text) + ",\"from\":{\"id\":7,\"is_bot\":false,\"first_name\":\"A\",\"username\":\""
                + username + "\"},\"chat\":{\"id\":" + chat + ",\"type\":\"group\"}}}");
    }

    /** Whether sendMessage requests from now on are held unanswered (those already held stay so until close). */
    public void hang(boolean hang) {
        this.hanging = hang;
    }

    public String baseUri() {
        return LocalHttp.url(server);
    }

    /** The texts sent to one chat. */
    public List<String> textsTo(String chat) {
        return sent.stream().filter(m -> m.path("chat_id").asText().equals(chat)).map(m -> m.path("text").asText()).toList();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
