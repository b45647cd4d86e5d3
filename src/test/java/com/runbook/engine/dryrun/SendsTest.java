package com.runbook.engine.dryrun;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which sends a dry run performs (reads) and which methods it may call without a mark (values only). */
class SendsTest {
    @Test
    void onlyStatementsThatReadAreReads() {
        assertThat(Sends.isRead("SELECT t.follower_id, SUM(t.qty) FROM trades t GROUP BY t.follower_id")).isTrue();
        assertThat(Sends.isRead("  select count(*) as n from job_run")).isTrue();
        assertThat(Sends.isRead("with d as (select 1 as x) select x from d")).isTrue();
        assertThat(Sends.isRead("values (1)")).isTrue();

        assertThat(Sends.isRead("update commission_monthly set sent = true where id = :#id")).isFalse();
        assertThat(Sends.isRead("insert into daily_pnl values (1)")).isFalse();
        assertThat(Sends.isRead("delete from market_bars where ts < :#cutoff")).isFalse();
        assertThat(Sends.isRead("select * from commission_monthly where sent = false for update skip locked")).isFalse();
        assertThat(Sends.isRead("with gone as (delete from t returning *) select count(*) from gone")).isFalse();
        assertThat(Sends.isRead("select nextval('seq')")).isFalse();
        assertThat(Sends.isRead("call purge()")).isFalse();
        assertThat(Sends.isRead(null)).isFalse();
    }

    @Test
    void aWriteNamesItsParameters() {
        org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(new org.apache.camel.impl.DefaultCamelContext());
        String update = "UPDATE commission_monthly SET sent = true WHERE follower_id = :#followerId AND month = :#month";
        exchange.getMessage().setBody(Map.of("followerId", 7, "month", 11));
        assertThat(Sends.parameters(update, exchange)).isEqualTo(" (followerId=7, month=11)");
        exchange.getMessage().setBody(List.of(Map.of("followerId", 7, "month", 11), Map.of("followerId", 8, "month", 11)));
        assertThat(Sends.parameters(update, exchange)).isEqualTo(" (batch of 2, first: followerId=7, month=11)");
        exchange.getMessage().setBody(null);
        exchange.getMessage().setHeader("followerId", 9);
        assertThat(Sends.parameters(update, exchange)).isEqualTo(" (followerId=9, month=null)");
        assertThat(Sends.parameters("delete from t", exchange)).isEmpty();
    }

    @Test
    void planTextsAreCutAndUrisMasked() {
        assertThat(Sends.clip("x".repeat(400))).hasSize(Sends.MAX).endsWith("…");
        assertThat(Sends.masked("telegram:bots?authorizationToken=secret123&chatId=4")).doesNotContain("secret123");
        assertThat(Sends.scheme("sql:select 1?dataSource=#x")).isEqualTo("sql");
    }

    @Test
    void valueMethodsAndRecordAccessorsAreHarmlessOthersAreNot() throws Exception {
        record Row(String name) {
            public String shout() {
                return name.toUpperCase();
            }
        }
        assertThat(BeanGuard.harmless(String.class.getMethod("toUpperCase"))).isTrue();
        assertThat(BeanGuard.harmless(List.class.getMethod("size"))).isTrue();
        assertThat(BeanGuard.harmless(Map.class.getMethod("get", Object.class))).isTrue();
        assertThat(BeanGuard.harmless(Row.class.getMethod("name"))).isTrue();

        assertThat(BeanGuard.harmless(Row.class.getMethod("shout"))).isFalse();
        assertThat(BeanGuard.harmless(Runtime.class.getMethod("exec", String.class))).isFalse();
        assertThat(BeanGuard.harmless(System.class.getMethod("exit", int.class))).isFalse();
        assertThat(BeanGuard.harmless(java.io.File.class.getMethod("delete"))).isFalse();
        Method marked = DryRunTest.Probe.class.getMethod("change", String.class);
        assertThat(BeanGuard.safe(marked, new DryRunTest.Probe())).isTrue();
        assertThat(BeanGuard.safe(DryRunTest.Probe.class.getMethod("act", String.class), new DryRunTest.Probe())).isFalse();
    }

    private static Sends.Verdict verdict(org.apache.camel.CamelContext context, String uri, Map<String, Object> headers,
                                         Object body) {
        org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(context);
        exchange.getMessage().setHeaders(new java.util.HashMap<>(headers));
        exchange.getMessage().setBody(body);
        return Sends.of(context.getEndpoint(uri), exchange);
    }

    @Test
    void eachRecorderSaysWhatItsSendWouldDo() throws Exception {
        // an S3 stand-in that says the bucket exists (the endpoint checks it when it starts); nothing is sent to it
        com.sun.net.httpserver.HttpServer s3Server = com.runbook.engine.LocalHttp.create();
        s3Server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        s3Server.start();
        try (org.apache.camel.impl.DefaultCamelContext context = new org.apache.camel.impl.DefaultCamelContext()) {
            context.start();
            String s3 = "aws2-s3:backups?accessKey=a&secretKey=b&region=us-east-1&autoCreateBucket=false"
                    + "&overrideEndpoint=true&forcePathStyle=true&uriEndpointOverride=" + com.runbook.engine.LocalHttp.url(s3Server);
            assertThat(verdict(context, s3 + "&operation=listObjects", Map.of(), null)).isInstanceOf(Sends.Read.class);
            assertThat(verdict(context, s3, Map.of("CamelAwsS3Operation", "getObject", "CamelAwsS3Key", "k"), null))
                    .isInstanceOf(Sends.Read.class);
            assertThat(verdict(context, s3, Map.of("CamelAwsS3Operation", "deleteObject",
                    "CamelAwsS3Key", "backups/engine-db/2026-11-02/dump.gz"), null))
                    .isEqualTo(new Sends.Effect("s3", "deleteObject s3://backups/backups/engine-db/2026-11-02/dump.gz"));
            assertThat(verdict(context, s3, Map.of("CamelAwsS3Key", "a/b"), "data"))
                    .isEqualTo(new Sends.Effect("s3", "putObject s3://backups/a/b"));
            assertThat(verdict(context, "telegram:bots?authorizationToken=secret&chatId=42", Map.of(), "Backup done"))
                    .isEqualTo(new Sends.Effect("telegram", "telegram to chat 42: Backup done"));
            assertThat(verdict(context, "google-pubsub:proj:system-alerts", Map.of(), "stop"))
                    .isEqualTo(new Sends.Effect("pubsub", "pubsub to proj/system-alerts: stop"));
            assertThat(verdict(context, "file:/tmp/out", Map.of("CamelFileName", "report.txt"), "x"))
                    .isEqualTo(new Sends.Effect("file", "write file /tmp/out/report.txt"));
            assertThat(verdict(context, "smtp://127.0.0.1:1?to=ops@example.com", Map.of("Subject", "Hi"), "x"))
                    .isEqualTo(new Sends.Effect("email", "email to ops@example.com: subject Hi"));
            assertThat(verdict(context, "http://127.0.0.1:1/api?httpMethod=DELETE", Map.of(), null))
                    .isEqualTo(new Sends.Effect("http", "DELETE http://127.0.0.1:1/api"));
            assertThat(verdict(context, "http://127.0.0.1:1/api", Map.of("CamelHttpMethod", "HEAD"), "x"))
                    .isInstanceOf(Sends.Read.class);
        } finally {
            s3Server.stop(0);
        }
    }
}
