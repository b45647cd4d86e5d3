package com.runbook.engine.core;

import com.runbook.engine.definition.Role;

/**
 * Who or what acts: a person's API token, the bootstrap admin token, a schedule, an alert, or the engine itself. Every
 * run and every audit entry names one ({@link #id()}); doors are given the caller's ({@link Request#caller()}).
 *
 * @param kind what acts
 * @param name the token's name, the schedule id, the alert fingerprint, or the engine part ({@code file-watcher})
 * @param role what it may do (schedules, alerts and the engine act as admin: their runbooks are reviewed files)
 */
public record Actor(Kind kind, String name, Role role) {
    /** What acts. */
    public enum Kind {
        /** A personal API token ({@code token:alice}). */
        TOKEN("token"),
        /** The bootstrap admin token: RUNBOOK_API_TOKEN or data/api-token ({@code token:bootstrap}). */
        BOOTSTRAP("token"),
        /** A schedule's fire ({@code schedule:nightly-backup}). */
        SCHEDULE("schedule"),
        /** An alert, by fingerprint ({@code alert:5f1c…}). */
        ALERT("alert"),
        /** The engine itself ({@code engine:file-watcher}). */
        ENGINE("engine"),
        /** A caller of an open door (health, metrics): nobody known. */
        ANONYMOUS("anonymous");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    /** The name of the bootstrap token's actor. */
    public static final String BOOTSTRAP_NAME = "bootstrap";
    /** The caller of an open door. */
    public static final Actor ANONYMOUS = new Actor(Kind.ANONYMOUS, "anonymous", null);
    /** The bootstrap admin token. */
    public static final Actor BOOTSTRAP = new Actor(Kind.BOOTSTRAP, BOOTSTRAP_NAME, Role.ADMIN);

    /** The engine part {@code part} ({@code file-watcher}, {@code start}, {@code test}). */
    public static Actor engine(String part) {
        return new Actor(Kind.ENGINE, part, Role.ADMIN);
    }

    /** The schedule {@code scheduleId}'s fires. */
    public static Actor schedule(String scheduleId) {
        return new Actor(Kind.SCHEDULE, scheduleId, Role.ADMIN);
    }

    /** The alert of fingerprint {@code fingerprint}. */
    public static Actor alert(String fingerprint) {
        return new Actor(Kind.ALERT, fingerprint, Role.ADMIN);
    }

    /** A personal token's holder. */
    public static Actor token(String name, Role role) {
        return new Actor(Kind.TOKEN, name, role);
    }

    /**
     * The actor {@link #id()} names, read back (a run's {@code started_by}, the {@code actor} of a run's log lines): a
     * personal token's role is not in its id, so it comes back as null (the actor may then do nothing that needs a
     * role; it is what audit entries of a run's effects name). Null for null.
     */
    public static Actor fromId(String id) {
        if (id == null) {
            return null;
        }
        int colon = id.indexOf(':');
        String prefix = colon < 0 ? "" : id.substring(0, colon);
        String name = colon < 0 ? id : id.substring(colon + 1);
        return switch (prefix) {
            case "token" -> name.equals(BOOTSTRAP_NAME) ? BOOTSTRAP : new Actor(Kind.TOKEN, name, null);
            case "schedule" -> schedule(name);
            case "alert" -> alert(name);
            case "engine" -> engine(name);
            default -> ANONYMOUS;
        };
    }

    /** How runs, audit entries and logs name the actor: {@code token:alice}, {@code schedule:nightly-backup}, {@code engine:file-watcher}. */
    public String id() {
        return kind == Kind.ANONYMOUS ? name : kind.prefix + ":" + name;
    }

    /**
     * Refuses ({@code FORBIDDEN}, nothing done) unless this actor's role covers {@code needed}; the message names the
     * actor, its role, {@code action} and the role it needs:
     * {@code token:bob (viewer) may not run emergency-stop: it needs admin}.
     */
    public void require(Role needed, String action) {
        if (role == null || !role.covers(needed)) {
            throw Refused.forbidden(id() + " (" + (role == null ? "no role" : role.stored()) + ") may not " + action
                    + ": it needs " + needed.stored());
        }
    }
}
