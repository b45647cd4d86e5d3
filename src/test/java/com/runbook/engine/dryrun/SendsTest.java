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
}
