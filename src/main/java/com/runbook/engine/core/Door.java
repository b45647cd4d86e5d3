package com.runbook.engine.core;

/**
 * One request a feature answers (an API endpoint, a webhook): the feature declares it, the HTTP edge serves it,
 * checks its access, and turns the reply or a {@link Refused} into a status code. Features never see HTTP.
 *
 * @param id      the route id ({@code api-incidents}, {@code webhook-grafana})
 * @param method  GET reads, POST changes
 * @param path    the path template; {@code {name}} segments are read with {@link Request#path(String)}
 * @param access  who may call it
 * @param handler what answers it
 */
public record Door(String id, Method method, String path, Access access, Handler handler) {
    /** The request method. */
    public enum Method { GET, POST }

    /** Who may call a door. */
    public enum Access {
        /** Anyone who reaches the engine (reads). */
        OPEN,
        /** Holders of the API token (every change). */
        TOKEN
    }

    /** Answers one request, or throws {@link Refused} (nothing changed). */
    @FunctionalInterface
    public interface Handler {
        Reply handle(Request request) throws Exception;
    }

    /** A read anyone may call, answering with {@code handler}'s JSON body. */
    public static Door read(String id, String path, Handler handler) {
        return new Door(id, Method.GET, path, Access.OPEN, handler);
    }

    /** A change only holders of the API token may make. */
    public static Door change(String id, String path, Handler handler) {
        return new Door(id, Method.POST, path, Access.TOKEN, handler);
    }
}
