package com.runbook.engine.observe;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a step of the timeline shows of its node: the URI without secrets, and where the node is written. */
class StepTimelineTest {
    @Test
    void aStepsUriShowsNoSecret() {
        assertThat(StepTimeline.mask("http://ops:hunter2@api.example.com/halt?authUsername=ops&authPassword=hunter2&x=1"))
                .isEqualTo("http://ops:xxxxxx@api.example.com/halt?authUsername=xxxxxx&authPassword=xxxxxx&x=1");
        assertThat(StepTimeline.mask("telegram:bots?authorizationToken=123:abc&chatId=42"))
                .isEqualTo("telegram:bots?authorizationToken=xxxxxx&chatId=42");
        assertThat(StepTimeline.mask("aws2-s3:backups?accessKey=AK&secretKey=SK&region=eu-west-1&myApiKey=k"))
                .isEqualTo("aws2-s3:backups?accessKey=xxxxxx&secretKey=xxxxxx&region=eu-west-1&myApiKey=xxxxxx");
        assertThat(StepTimeline.mask("sql:select * from trades where day = :#day?dataSource=#trading"))
                .isEqualTo("sql:select * from trades where day = :#day?dataSource=#trading");
        assertThat(StepTimeline.mask("smtp://mail:25?password={{runbook.mail.password}}"))
                .isEqualTo("smtp://mail:25?password=xxxxxx");
    }

    @Test
    void aStepsSourceIsItsFileUnderRoutesAndItsLine() {
        assertThat(StepTimeline.source("nightly-backup.camel.yaml", 14)).isEqualTo("routes/nightly-backup.camel.yaml:14");
        assertThat(StepTimeline.source("file:/srv/runbooks/routes/x.camel.yaml", 3)).isEqualTo("routes/x.camel.yaml:3");
        assertThat(StepTimeline.source("x.camel.yaml", -1)).isEqualTo("routes/x.camel.yaml");
        assertThat(StepTimeline.source(null, 3)).isNull();
    }

    @Test
    void aStepActsWhenItSendsOutOfTheEngineOrCallsABean() {
        assertThat(StepTimeline.acts("to", "smtp://mail:25")).isTrue();
        assertThat(StepTimeline.acts("toD", "sql:update x set y = 1")).isTrue();
        assertThat(StepTimeline.acts("bean", null)).isTrue();
        assertThat(StepTimeline.acts("process", null)).isTrue();
        assertThat(StepTimeline.acts("to", "direct:notify")).isFalse();
        assertThat(StepTimeline.acts("to", "log:x")).isFalse();
        assertThat(StepTimeline.acts("split", null)).isFalse();
    }
}
