package com.runbook.engine.report;

import freemarker.template.Configuration;
import freemarker.template.Template;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped templates under routes/templates/ rendered with the models the beans build, as camel-freemarker does. */
class ReportTemplatesTest {
    private static String render(String template, Object body) throws Exception {
        Configuration config = new Configuration(Configuration.VERSION_2_3_32);
        Template t = new Template(template, Files.readString(Path.of("routes/templates", template)), config);
        StringWriter out = new StringWriter();
        t.process(Map.of("body", body), out);
        return out.toString();
    }

    @Test
    void commissionEmailShowsNamePeriodAndAmountInCents() throws Exception {
        var email = new CommissionEmails.Email(12, 2026, 10, new BigDecimal("1234.5"), "Isla O'Brien", "isla@example.com", null);
        String text = render("commission-email.ftl", email.model());
        assertThat(text).contains("Dear Isla O'Brien,").contains("your commission for October 2026 is 1234.50 USD.")
                .contains("Reference: commission/12/2026/10").doesNotContain("<#--");
        assertThat(email.key()).isEqualTo("commission/12/2026/10");
    }

    @Test
    void monthlyReportEscapesHtmlAndTheCsvQuotesAndTotals() throws Exception {
        MonthlyReport report = new MonthlyReport(null);
        Map<String, Object> period = report.period("2026-10");
        assertThat(period).containsEntry("monthStart", java.time.LocalDate.parse("2026-10-01"))
                .containsEntry("monthEnd", java.time.LocalDate.parse("2026-11-01"));
        Map<String, Object> a = row(1, "Ava <Thompson>", 20, "10.005", "1", "2.5", "8.505", "1.25");
        Map<String, Object> b = row(2, "Smith, \"J\"", 0, null, null, null, null, null);
        MonthlyReport.Report r = report.build(List.of(a, b), period);
        assertThat(r.csv()).isEqualTo("follower_id,name,trading_days,realized,unrealized,fees,net,commission\r\n"
                + "1,Ava <Thompson>,20,10.00,1.00,2.50,8.50,1.25\r\n"
                + "2,\"Smith, \"\"J\"\"\",0,0.00,0.00,0.00,0.00,0.00\r\n");
        String html = render("monthly-report.ftl", r.model());
        assertThat(html).contains("<h2>Monthly report October 2026</h2>").contains("Ava &lt;Thompson&gt;")
                .contains("<th align=\"right\">8.50</th>").doesNotContain("<Thompson>");
    }

    @Test
    void missingOrInvalidAddressesAreNamed() {
        assertThat(CommissionEmails.addressProblem(null)).isEqualTo("follower has no email address");
        assertThat(CommissionEmails.addressProblem(" ")).isEqualTo("follower has no email address");
        assertThat(CommissionEmails.addressProblem("isla.obrien-at-example.com")).isEqualTo("invalid email address 'isla.obrien-at-example.com'");
        assertThat(CommissionEmails.addressProblem("a@b@c.com")).isEqualTo("invalid email address 'a@b@c.com'");
        assertThat(CommissionEmails.addressProblem("ava.thompson@example.com")).isNull();
    }

    private static Map<String, Object> row(long id, String name, int days, String realized, String unrealized, String fees,
                                           String net, String commission) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("follower_id", id);
        m.put("name", name);
        m.put("trading_days", days);
        m.put("realized", realized == null ? null : new BigDecimal(realized));
        m.put("unrealized", unrealized == null ? null : new BigDecimal(unrealized));
        m.put("fees", fees == null ? null : new BigDecimal(fees));
        m.put("net", net == null ? null : new BigDecimal(net));
        m.put("commission_amount", commission == null ? null : new BigDecimal(commission));
        return m;
    }
}
