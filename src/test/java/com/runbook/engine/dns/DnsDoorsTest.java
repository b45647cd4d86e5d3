package com.runbook.engine.dns;

import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Reply;
import com.runbook.engine.core.RunEnd;
import com.runbook.engine.core.RunStatus;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the DNS doors answer a run that ended: its result, a refusal for what the DNS step refused, or a failure. */
class DnsDoorsTest {
    static RunEnd failed(Throwable failure, String error) {
        return new RunEnd(7, RunStatus.FAILED, error, null, failure);
    }

    @Test
    void aSucceededRunAnswersItsResultWithTheRun() {
        Map<String, Object> result = Map.of("outcome", "applied");
        assertThat(DnsModule.answer(new RunEnd(7, RunStatus.SUCCEEDED, null, result, null), false))
                .isEqualTo(Reply.ok(Map.of("outcome", "applied", "runId", 7L, "href", "/api/runs/7")));
        assertThat(DnsModule.answer(new RunEnd(8, RunStatus.SUCCEEDED, null, Map.of("outcome", "plan"), null), true))
                .isEqualTo(Reply.ok(Map.of("outcome", "plan", "runId", 8L, "dryRun", true, "href", "/api/runs/8")));
    }

    @Test
    void whatTheDnsStepRefusedIsARefusalWithItsMessage() {
        Map<DnsException.Kind, Refused.Reason> reasons = Map.of(DnsException.Kind.INVALID, Refused.Reason.INVALID,
                DnsException.Kind.CONFLICT, Refused.Reason.CONFLICT, DnsException.Kind.UNPROCESSABLE, Refused.Reason.UNPROCESSABLE,
                DnsException.Kind.UNAVAILABLE, Refused.Reason.UNAVAILABLE);
        reasons.forEach((kind, reason) -> assertThatThrownBy(() -> DnsModule.answer(failed(new DnsException(kind, "why " + kind),
                "DnsException: why " + kind), false)).isInstanceOfSatisfying(Refused.class, r -> {
                    assertThat(r.reason()).isEqualTo(reason);
                    assertThat(r.getMessage()).isEqualTo("why " + kind);
                }));
    }

    @Test
    void aProviderOrVerificationFailureAndAnyOtherFailureAreFailures() {
        assertThat(DnsModule.answer(failed(new DnsException(DnsException.Kind.FAILED, "provider said no"), "DnsException: provider said no"), false))
                .isEqualTo(Reply.failed(Map.of("error", "provider said no")));
        assertThat(DnsModule.answer(failed(null, "the engine stopped while the run was going on"), false))
                .isEqualTo(Reply.failed(Map.of("error", "the engine stopped while the run was going on")));
        assertThat(DnsModule.answer(failed(new IllegalStateException("boom"), "IllegalStateException: boom"), false))
                .isEqualTo(Reply.failed(Map.of("error", "IllegalStateException: boom")));
    }
}
