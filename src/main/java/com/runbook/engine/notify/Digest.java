package com.runbook.engine.notify;

import com.runbook.engine.text.Text;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Paging storms: when more than a threshold of incident pages for one email recipient or Telegram chat are due
 * together (claimed in one batch), they go as digests of at most {@link #MAX} pages each instead of one message per
 * incident, the way Alertmanager groups alerts. Five hundred emails, or a Telegram chat rate-limited to about one
 * message a second, bury the one page that matters; a digest names every incident, most urgent first.
 * Only incident pages (header {@code X-Incident-Id}) on channels that group them (email, Telegram: see
 * {@link Channel#grouping()}) are grouped: Pub/Sub is read by programs, and other mail (reports, commission
 * statements) has its own recipients and attachments.
 */
final class Digest {
    /** Most pages in one digest: a Telegram message holds 4,096 characters, and 30 subject lines of 120 fit. */
    static final int MAX = 30;
    /** The longest line of a digest of subject lines (Telegram). */
    static final int LINE = 120;
    static final String INCIDENT_HEADER = "X-Incident-Id";
    private static final Pattern PRIORITY = Pattern.compile("^\\[(P[1-4])]");

    /** What one send delivers: {@code message}, standing for {@code members} (itself alone when not a digest). */
    record Delivery(Outbox.Message message, List<Outbox.Message> members) {
        static Delivery single(Outbox.Message m) {
            return new Delivery(m, List.of(m));
        }

        /** One send for {@code members} (same channel and recipient): the message itself, or their digest. */
        static Delivery of(List<Outbox.Message> members, Channel.Grouping grouping) {
            return members.size() == 1 ? single(members.get(0))
                    : new Delivery(combine(members, grouping), List.copyOf(members));
        }

        boolean digest() {
            return members.size() > 1;
        }
    }

    private Digest() {
    }

    /**
     * The sends for a claimed batch (most urgent first, as claimed): incident pages to one channel and recipient,
     * when there are more than {@code over} of them, become digests of at most {@link #MAX}; everything else goes
     * as it is. {@code over} 0 or less: no digests. Each delivery keeps the place of its first member.
     */
    static List<Delivery> plan(List<Outbox.Message> batch, int over, Function<String, Channel.Grouping> grouping) {
        Map<String, List<Outbox.Message>> groups = new LinkedHashMap<>();
        for (Outbox.Message m : batch) {
            if (over > 0 && m.headers().containsKey(INCIDENT_HEADER) && grouping.apply(m.channel()) != Channel.Grouping.NONE) {
                groups.computeIfAbsent(m.channel() + "\n" + m.recipient(), k -> new ArrayList<>()).add(m);
            }
        }
        groups.values().removeIf(g -> g.size() <= over);
        TreeMap<Integer, Delivery> byPlace = new TreeMap<>();
        for (List<Outbox.Message> group : groups.values()) {
            for (int from = 0; from < group.size(); from += MAX) {
                List<Outbox.Message> members = group.subList(from, Math.min(group.size(), from + MAX));
                byPlace.put(batch.indexOf(members.get(0)), Delivery.of(members, grouping.apply(members.get(0).channel())));
            }
        }
        Set<Long> grouped = groups.values().stream().flatMap(List::stream).map(Outbox.Message::id).collect(Collectors.toSet());
        for (int i = 0; i < batch.size(); i++) {
            if (!grouped.contains(batch.get(i).id())) {
                byPlace.put(i, Delivery.single(batch.get(i)));
            }
        }
        return List.copyOf(byPlace.values());
    }

    /**
     * One message for {@code members} (same channel and recipient): the subject starts with the most urgent priority
     * and counts the pages per priority; the body lists each page ({@link Channel.Grouping#FULL_TEXT}: subject and
     * body; {@link Channel.Grouping#SUBJECT_LINES}: the subject, cut to {@value #LINE} characters with
     * {@link Text#clean}). Its idempotency key is derived from the members' keys, so a retry
     * of the same digest carries the same key; its id is the first member's.
     */
    static Outbox.Message combine(List<Outbox.Message> members, Channel.Grouping grouping) {
        Outbox.Message first = members.get(0);
        boolean lines = grouping == Channel.Grouping.SUBJECT_LINES;
        Map<String, Integer> counts = new TreeMap<>();
        StringBuilder body = new StringBuilder();
        for (Outbox.Message m : members) {
            counts.merge(priority(m.subject()), 1, Integer::sum);
            if (lines) {
                body.append(Text.clean(m.subject(), LINE)).append('\n');
            } else {
                body.append(m.subject()).append("\n\n").append(m.body()).append("\n\n---\n\n");
            }
        }
        String top = counts.keySet().iterator().next();
        StringBuilder subject = new StringBuilder(top.startsWith("P") ? "[" + top + "] " : "")
                .append(members.size()).append(" incident pages (");
        counts.forEach((p, n) -> subject.append(n).append(' ').append(p).append(", "));
        subject.setLength(subject.length() - 2);
        subject.append(")");
        body.append(lines ? "Acknowledge each: /ack <id>" : "Acknowledge each: POST /api/incidents/<id>/ack");
        Map<String, String> headers = new LinkedHashMap<>(first.headers());
        headers.remove(INCIDENT_HEADER);
        return new Outbox.Message(first.id(), key(members), first.channel(), first.recipient(), subject.toString(),
                body.toString(), headers, first.attempts());
    }

    /** "P1".."P4" from a page's subject ("[P2] ..."), else "other" (sorted after them). */
    static String priority(String subject) {
        Matcher m = PRIORITY.matcher(subject == null ? "" : subject);
        return m.find() ? m.group(1) : "other";
    }

    static String key(List<Outbox.Message> members) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            members.forEach(m -> sha.update((m.idempotencyKey() + "\n").getBytes(StandardCharsets.UTF_8)));
            return "digest-" + members.size() + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
