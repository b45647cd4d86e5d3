package com.runbook.engine.report;

import com.runbook.engine.core.Parts;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.store.Database;
import freemarker.cache.FileTemplateLoader;
import freemarker.template.Configuration;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * Opens the trading database (bean {@code trading}), applies its migrations from {@code db/trading} with a history
 * table of its own, seeds the demo data when asked, and binds the report beans the routes call:
 * {@code tradingCalendar}, {@code dailyPnl}, {@code commissionEmails}, {@code monthlyReport}.
 */
public final class ReportModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(ReportModule.class);
    private final java.util.function.Supplier<com.runbook.engine.backup.ObjectStore> store;
    private HikariDataSource trading;

    /** {@code store}: where the monthly report is filed (the backup module's object store). */
    public ReportModule(java.util.function.Supplier<com.runbook.engine.backup.ObjectStore> store) {
        this.store = store;
    }

    @Override
    public void start(Parts parts) throws Exception {
        String url = parts.settings().get("runbook.trading.db.url", "");
        if (url.isBlank()) {
            url = "jdbc:h2:rbheader:retry:" + parts.dataDir().resolve("trading") + ";NON_KEYWORDS=YEAR,MONTH;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        }
        trading = Database.pool("trading", url, parts.settings().get("runbook.trading.db.user", "sa"),
                parts.settings().get("runbook.trading.db.password", ""),
                Integer.parseInt(parts.settings().get("runbook.trading.db.pool-size", "4")));
        if (Boolean.parseBoolean(parts.settings().get("runbook.trading.migrate", "true"))) {
            Database.migrate(trading, "classpath:db/trading", "flyway_trading_history");
        }
        TradingCalendar calendar = new TradingCalendar(ZoneId.of(parts.settings().get("runbook.trading.zone", "America/New_York")),
                LocalTime.parse(parts.settings().get("runbook.trading.close", "16:00")),
                TradingCalendar.parseHolidays(parts.settings().get("runbook.trading.holidays", "")));
        String demo = parts.settings().get("runbook.trading.demo", "auto");
        if ("true".equals(demo) || ("auto".equals(demo) && url.startsWith("jdbc:h2:"))) {
            int rows = new DemoTradingData(trading, calendar, Clock.systemUTC(), 42).seedIfEmpty();
            if (rows > 0) {
                LOG.info("Seeded the demo trading database with {} rows", rows);
            }
        }
        if (parts.settings().get("runbook.reports.templates-dir", "").isBlank()) {
            parts.camel().getPropertiesComponent().addOverrideProperty("runbook.reports.templates-dir",
                    parts.base().resolve("routes/templates").toString());
        }
        var registry = parts.camel().getRegistry();
        registry.bind("reportTemplates", templates(Path.of(parts.settings().get("runbook.reports.templates-dir", ""))));
        Reports reports = new Reports(parts, trading, calendar, Clock.systemUTC(), store);
        registry.bind("trading", trading);
        registry.bind("tradingCalendar", calendar);
        registry.bind("dailyPnl", new DailyPnl(reports));
        registry.bind("commissionEmails", new CommissionEmails(reports));
        registry.bind("monthlyReport", new MonthlyReport(reports));
    }

    /**
     * The FreeMarker configuration the report routes render with ({@code freemarker:<name>.ftl?configuration=#reportTemplates}):
     * templates from {@code dir}, parsed once and re-parsed when the file changes (its modification time is checked
     * at every use), so an edit applies to the next email without re-reading and re-parsing the file per email.
     */
    static Configuration templates(Path dir) throws IOException {
        Configuration config = new Configuration(Configuration.VERSION_2_3_34);
        if (Files.isDirectory(dir)) {
            config.setTemplateLoader(new FileTemplateLoader(dir.toFile()));
        } else {
            LOG.warn("Report templates folder {} does not exist: the report jobs will fail until it does (restart)", dir);
        }
        config.setTemplateUpdateDelayMilliseconds(0);
        config.setDefaultEncoding("UTF-8");
        config.setLocalizedLookup(false);
        return config;
    }

    @Override
    public void stop() {
        if (trading != null) {
            trading.close();
        }
    }
}
