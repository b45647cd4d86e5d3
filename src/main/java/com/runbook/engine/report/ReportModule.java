package com.runbook.engine.report;

import com.runbook.engine.backup.ObjectStore;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;
import com.runbook.engine.store.Database;
import freemarker.cache.FileTemplateLoader;
import freemarker.template.Configuration;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Opens the trading database (bean {@code trading}), applies its migrations from {@code db/trading} with a history
 * table of its own, seeds the demo data when asked, and binds the report beans the routes call:
 * {@code tradingCalendar}, {@code dailyPnl}, {@code commissionEmails}, {@code monthlyReport}.
 */
public final class ReportModule implements EngineModule {
    private static final Logger LOG = LoggerFactory.getLogger(ReportModule.class);
    private Supplier<ObjectStore> store = () -> null;
    private HikariDataSource pool;
    private DataSource trading;

    /** Where the monthly report's copies are filed (the backup module's object store); asked when a report is filed. */
    public void fileCopiesIn(Supplier<ObjectStore> store) {
        this.store = store;
    }

    /** The trading database, once the module started (null before). */
    public DataSource trading() {
        return trading;
    }

    @Override
    public void start(Parts parts) throws Exception {
        ReportSettings settings = ReportSettings.from(parts.settings());
        pool = settings.migrate()
                ? Database.open("trading", settings.url(), settings.user(), settings.password(), settings.poolSize(),
                        "classpath:db/trading", "flyway_trading_history")
                : Database.pool("trading", settings.url(), settings.user(), settings.password(), settings.poolSize());
        trading = pool;
        TradingCalendar calendar = new TradingCalendar(settings.zone(), settings.close(), settings.holidays());
        if (settings.seedDemo()) {   // at the first connection asked for, which waits for it
            trading = SeededTrading.seedAtFirstUse(pool, new DemoTradingData(pool, calendar, Clock.systemUTC(), 42));
        }
        Path templatesDir = settings.templatesDir().orElseGet(() -> parts.base().resolve("routes/templates"));
        var registry = parts.camel().getRegistry();
        registry.bind("reportTemplates", templates(templatesDir));
        Reports reports = new Reports(parts, settings, trading, calendar, Clock.systemUTC(), () -> store.get());
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
        if (trading instanceof SeededTrading seeding && !seeding.awaitSeeded(30_000)) {
            LOG.warn("The demo trading data was still being seeded at stop");
        }
        if (pool != null) {
            pool.close();
        }
    }
}
