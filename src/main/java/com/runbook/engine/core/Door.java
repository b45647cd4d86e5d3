package com.runbook.engine.core;

import com.runbook.engine.definition.Role;

/**
 * One request a feature answers (an API endpoint, a webhook): the feature declares it, the HTTP edge serves it,
 * authenticates the caller and checks its role, and turns the reply or a {@link Refused} into a status code. Features never see HTTP.
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

    /** Who may call a door: anyone, or the holder of a token whose role covers the door's. */
    public enum Access {
        /** Anyone who reaches the engine: health, metrics, and the webhooks (each checks its own credentials). */
        OPEN(null),
        /** A token of any role (reads). */
        VIEWER(Role.VIEWER),
        /** An operator's or admin's token (runs, rehearsals, acknowledgements, page retries). */
        OPERATOR(Role.OPERATOR),
        /** An admin's token (guarded runbooks, tokens). */
        ADMIN(Role.ADMIN);

        private final Role role;

        Access(Role role) {
            this.role = role;
        }

        /** The least role the door needs, or null for an open door. */
        public Role role() {
            return role;
        }
    }

    /** Answers one request, or throws {@link Refused} (nothing changed). */
    @FunctionalInterface
    public interface Handler {
        Reply handle(Request request) throws Exception;
    }

    /** A read any token may call (a viewer's too), answering with {@code handler}'s reply. */
    public static Door read(String id, String path, Handler handler) {
        return new Door(id, Method.GET, path, Access.VIEWER, handler);
    }

    /** A change an operator's token may make (a door may require more of the caller: {@link Actor#require}). */
    public static Door change(String id, String path, Handler handler) {
        return new Door(id, Method.POST, path, Access.OPERATOR, handler);
    }

    /** A change only an admin's token may make. */
    public static Door admin(String id, String path, Handler handler) {
        return new Door(id, Method.POST, path, Access.ADMIN, handler);
    }

    /** A read anyone may call without a token ({@code /health}, {@code /metrics}). */
    public static Door open(String id, String path, Handler handler) {
        return new Door(id, Method.GET, path, Access.OPEN, handler);
    }
}
