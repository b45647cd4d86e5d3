package com.runbook.engine.observe;

import com.runbook.engine.run.RunStory;
import com.runbook.engine.run.Story;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.core.filter.AbstractFilterable;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;

/**
 * Each run's log: every line logged on a run's thread (the ones that carry its runId in the MDC) is also kept in the
 * run's {@link Story}, capped there. Installed once per process on the root logger, beside the appenders of
 * log4j2.xml; synchronous (a line is in the run's log before the run ends), and a line logged outside a run costs one
 * thread-local look-up.
 * <p>
 * It also keeps Camel's error handler dump ("Failed delivery ... Message History", 45 lines) of a run's failure off
 * the engine's output: that run logs one WARN line (JobRunner), and the dump stays in the run's own log.
 * <p>
 * A secret parameter's value never reaches a log: the run's log keeps the line with the value masked ({@code ****},
 * see {@link Story#mask}), and a line that shows it is kept off the engine's output (log4j2.xml's appenders), where it
 * cannot be masked.
 */
final class RunLogCapture extends AbstractAppender {
    static final String NAME = "runbook-run-log";
    /** The logger of Camel's error handlers (their "Failed delivery" dump). */
    static final String CAMEL_ERROR_HANDLER = "org.apache.camel.processor.errorhandler";

    private RunLogCapture() {
        super(NAME, null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
        Story story = RunStory.current();
        if (story == null) {
            return;
        }
        String logger = event.getLoggerName() == null ? "" : event.getLoggerName();
        if (logger.startsWith(CAMEL_ERROR_HANDLER)) {
            story.failureReported();   // its "Failed delivery" report has the stack trace
        }
        String message = event.getMessage() == null ? "" : event.getMessage().getFormattedMessage();
        if (event.getThrown() != null) {
            StringWriter stack = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(stack));
            message = message + "\n" + stack;
        }
        story.line(Instant.ofEpochMilli(event.getTimeMillis()), event.getLevel().name(), logger, message);
    }

    /** Installs the capture (once per process: later calls find it there) and the filter of every other appender. */
    static synchronized void install() {
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        Configuration config = logging.getConfiguration();
        if (config.getAppender(NAME) != null) {
            return;
        }
        RunLogCapture capture = new RunLogCapture();
        capture.start();
        config.addAppender(capture);
        config.getRootLogger().addAppender(capture, null, null);
        for (Appender output : config.getAppenders().values()) {
            if (output != capture && output instanceof AbstractFilterable filterable) {
                filterable.addFilter(new CamelDumpInRun());
                filterable.addFilter(new SecretInRun());
            }
        }
        logging.updateLoggers();
    }

    /** Denies, on the engine's output, a line of a run that shows one of its secret parameters' values. */
    static final class SecretInRun extends AbstractFilter {
        SecretInRun() {
            super(Filter.Result.NEUTRAL, Filter.Result.NEUTRAL);
        }

        @Override
        public Result filter(LogEvent event) {
            Story story = RunStory.current();
            if (story == null || event.getMessage() == null) {
                return Result.NEUTRAL;
            }
            if (story.showsSecret(event.getMessage().getFormattedMessage())) {
                return Result.DENY;
            }
            for (Throwable t = event.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (story.showsSecret(t.getMessage())) {
                    return Result.DENY;
                }
            }
            return Result.NEUTRAL;
        }
    }

    /** Denies, on the engine's output, what Camel's error handlers log on a run's thread. */
    static final class CamelDumpInRun extends AbstractFilter {
        CamelDumpInRun() {
            super(Filter.Result.NEUTRAL, Filter.Result.NEUTRAL);
        }

        @Override
        public Result filter(LogEvent event) {
            String logger = event.getLoggerName();
            return logger != null && logger.startsWith(CAMEL_ERROR_HANDLER) && RunStory.current() != null
                    ? Result.DENY : Result.NEUTRAL;
        }
    }
}
