package com.runbook.engine.notify;

import com.runbook.engine.text.Text;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class DigestTest {
    /** Email and Telegram group incident pages, Pub/Sub does not (as their channels say). */
    private static final Function<String, Channel.Grouping> GROUPING = channel -> switch (channel) {
        case "email" -> Channel.Grouping.FULL_TEXT;
        case "telegram" -> Channel.Grouping.SUBJECT_LINES;
        default -> Channel.Grouping.NONE;
    };

    private static Outbox.Message page(long id, String channel, String recipient, String priority) {
        return new Outbox.Message(id, "incident-" + id + "-open-" + channel, channel, recipient,
                "[" + priority + "] Host " + id + " down (#" + id + ")", "Incident #" + id + "\nAcknowledge: ...",
                Map.of("X-Incident-Id", Long.toString(id)), 1);
    }

    private static List<Outbox.Message> pages(int from, int to, String channel, String priority) {
        List<Outbox.Message> list = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            list.add(page(i, channel, null, priority));
        }
        return list;
    }

    @Test
    void atOrBelowTheThresholdEveryMessageGoesAlone() {
        List<Outbox.Message> batch = pages(1, 10, "email", "P3");
        assertThat(Digest.plan(batch, 10, GROUPING)).extracting(Digest.Delivery::message).containsExactlyElementsOf(batch);
        assertThat(Digest.plan(pages(1, 40, "email", "P3"), 0, GROUPING)).hasSize(40).noneMatch(Digest.Delivery::digest);
    }

    @Test
    void pagesPastTheThresholdForOneRecipientGoAsDigestsOfAtMostThirty() {
        List<Outbox.Message> batch = new ArrayList<>(pages(1, 2, "email", "P1"));
        batch.addAll(pages(3, 65, "email", "P3"));
        List<Digest.Delivery> plan = Digest.plan(batch, 10, GROUPING);
        assertThat(plan).extracting(d -> d.members().size()).containsExactly(30, 30, 5);
        assertThat(plan).flatExtracting(Digest.Delivery::members).containsExactlyElementsOf(batch);
        Outbox.Message first = plan.get(0).message();
        assertThat(first.subject()).isEqualTo("[P1] 30 incident pages (2 P1, 28 P3)");
        assertThat(plan.get(1).message().subject()).isEqualTo("[P3] 30 incident pages (30 P3)");
        assertThat(first.id()).isEqualTo(1);
        assertThat(first.headers()).doesNotContainKey("X-Incident-Id");
        assertThat(first.body()).startsWith("[P1] Host 1 down (#1)\n\nIncident #1\nAcknowledge: ...\n\n---\n\n[P1] Host 2")
                .contains("[P3] Host 30 down (#30)").doesNotContain("(#31)")
                .endsWith("Acknowledge each: POST /api/incidents/<id>/ack");
    }

    @Test
    void onlyIncidentPagesOnEmailAndTelegramAreGroupedAndEachRecipientApart() {
        List<Outbox.Message> batch = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            batch.add(page(i, "email", "a@example.com", "P3"));
            batch.add(page(100 + i, "email", "b@example.com", "P3"));
            batch.add(page(200 + i, "pubsub:incident-notifications", null, "P3"));
            batch.add(new Outbox.Message(300 + i, "report-" + i, "email", "a@example.com", "Report " + i, "x", Map.of(), 1));
        }
        List<Digest.Delivery> plan = Digest.plan(batch, 10, GROUPING);
        assertThat(plan).filteredOn(Digest.Delivery::digest).hasSize(2)
                .allSatisfy(d -> assertThat(d.members()).hasSize(12).extracting(Outbox.Message::recipient).containsOnly(d.message().recipient()));
        assertThat(plan).filteredOn(d -> !d.digest()).extracting(d -> d.message().id())
                .as("Pub/Sub and plain mail alone, in their places").containsExactlyElementsOf(batch.stream()
                        .map(Outbox.Message::id).filter(id -> id > 200).toList());
        assertThat(plan.get(0).message().recipient()).isEqualTo("a@example.com");
        assertThat(plan.get(1).message().recipient()).isEqualTo("b@example.com");
    }

    @Test
    void aTelegramDigestListsSubjectsCutToOneLineAndStaysUnderTheMessageLimit() {
        List<Outbox.Message> batch = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            Outbox.Message m = page(i, "telegram", "42", "P2");
            batch.add(new Outbox.Message(m.id(), m.idempotencyKey(), m.channel(), m.recipient(),
                    m.subject() + " " + "x".repeat(900), m.body(), m.headers(), 1));
        }
        Outbox.Message digest = Digest.plan(batch, 10, GROUPING).get(0).message();
        assertThat(digest.body().lines().toList()).hasSize(31).first().asString().hasSize(Digest.LINE).endsWith(Text.MARK);
        assertThat(digest.body()).endsWith("Acknowledge each: /ack <id>");
        assertThat((digest.subject() + "\n\n" + digest.body()).length()).isLessThan(4096);
    }

    @Test
    void theKeyIsTheSameForTheSameMembersAndDiffersOtherwise() {
        List<Outbox.Message> a = pages(1, 12, "email", "P3");
        String key = Digest.combine(a, Channel.Grouping.FULL_TEXT).idempotencyKey();
        assertThat(key).startsWith("digest-12-").isEqualTo(Digest.combine(pages(1, 12, "email", "P3"), Channel.Grouping.FULL_TEXT).idempotencyKey());
        assertThat(Digest.combine(pages(2, 13, "email", "P3"), Channel.Grouping.FULL_TEXT).idempotencyKey()).isNotEqualTo(key);
    }

    @Test
    void priorityComesFromTheSubjectPrefix() {
        assertThat(Digest.priority("[P2] [during maintenance] x")).isEqualTo("P2");
        assertThat(Digest.priority("Weekly report")).isEqualTo("other");
        assertThat(Digest.priority(null)).isEqualTo("other");
    }
}
