package com.runbook.engine.cli;

import com.runbook.engine.Engine;
import com.runbook.engine.routes.Problem;
import com.runbook.engine.routes.Runbooks;
import org.apache.camel.impl.DefaultCamelContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** The one entry point: {@code run} starts the engine, {@code validate} checks the runbook files. */
@Command(name = "runbook", mixinStandardHelpOptions = true, version = "runbook-engine 0.1",
        description = "Runs operations runbooks written as Camel YAML routes on Quartz schedules.",
        subcommands = {RunbookCli.Run.class, RunbookCli.Validate.class})
public class RunbookCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new RunbookCli()).execute(args));
    }

    /** Options naming the folder that holds routes/ and schedules/. */
    static class BaseDir {
        @Option(names = {"-d", "--dir"}, defaultValue = "${RUNBOOK_HOME:-.}",
                description = "folder holding routes/ and schedules/ (default: $RUNBOOK_HOME or the current folder)")
        Path dir;
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Start the engine and keep it running.")
    static class Run implements Callable<Integer> {
        @CommandLine.Mixin
        BaseDir base;

        @Override
        public Integer call() throws Exception {
            Engine engine = Engine.start(base.dir, Map.of());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    engine.close();
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    stopped.countDown();
                }
            }));
            stopped.await();
            return 0;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check every file in routes/ and schedules/ without starting anything; "
                    + "prints file:line:column: message per problem, exits 1 if there is any.")
    static class Validate implements Callable<Integer> {
        @CommandLine.Mixin
        BaseDir base;

        @Override
        public Integer call() throws Exception {
            List<Problem> problems = validate(base.dir);
            problems.forEach(p -> System.out.println(p));
            if (problems.isEmpty()) {
                System.out.println("OK: routes/ and schedules/ are valid");
                return 0;
            }
            System.out.println(problems.size() + " problem(s)");
            return 1;
        }
    }

    /** Validates the folders under {@code dir} with a context that is built but never started. */
    public static List<Problem> validate(Path dir) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("classpath:application.properties");
            context.build();
            return Runbooks.validate(context, dir);
        }
    }
}
