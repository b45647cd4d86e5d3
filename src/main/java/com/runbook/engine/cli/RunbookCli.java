package com.runbook.engine.cli;

import com.runbook.engine.Engine;
import com.runbook.engine.definition.Problem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The one entry point: {@code run} starts the engine, {@code validate} checks the runbook files, and the rest talk
 * to a running engine over HTTP ({@code RUNBOOK_URL}, {@code RUNBOOK_API_TOKEN}).
 */
@Command(name = "runbook", mixinStandardHelpOptions = true, version = "runbook-engine 0.1",
        description = "Runs operations runbooks written as Camel YAML routes on Quartz schedules.",
        subcommands = {RunbookCli.Run.class, RunbookCli.Validate.class, TokenCommands.class, OpsCommands.ListJobs.class,
                OpsCommands.Trigger.class, OpsCommands.History.class, OpsCommands.Incidents.class,
                OpsCommands.Ack.class, OpsCommands.Windows.class, SchedulesCommand.class, RunCommands.Show.class,
                RunCommands.Logs.class, AuditCommand.class},
        footerHeading = "%nEnvironment:%n",
        footer = {"  RUNBOOK_URL        the engine's URL (default http://localhost:8080)",
                "  RUNBOOK_API_TOKEN  your API token, for every command that talks to the engine",
                "                     (default: file data/api-token, the bootstrap admin token)",
                "%nExit status: 0 ok, 1 problems found or job run failed, 2 bad usage,",
                "  3 engine unreachable, 4 token refused, 5 not found, 6 other engine error,",
                "  7 the token's role does not allow it."})
public class RunbookCli {
    private final Map<String, String> env;

    public RunbookCli() {
        this(System.getenv());
    }

    public RunbookCli(Map<String, String> env) {
        this.env = env;
    }

    /** The environment the remote commands read RUNBOOK_URL and RUNBOOK_API_TOKEN from. */
    Map<String, String> env() {
        return env;
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("validate")) {
            // validate logs nothing of its own; log4j-core's start (configuration, plugins, lookups) was a quarter
            // of its CPU. Its JVM logs through log4j's simple logger instead: warnings and errors, on stdout as the
            // engine's console appender wrote them
            System.setProperty("log4j.provider", "org.apache.logging.log4j.simple.internal.SimpleProvider");
            System.setProperty("log4j2.simplelogLevel", "WARN");
            System.setProperty("log4j2.simplelogLogFile", "system.out");
        }
        if (args.length == 1 && args[0].equals("run")) {
            // the engine's start as ./runbook run gives it, no option to read: picocli's model of the command is not
            // built (its classes, compiled for Java 5, are not in the start-up cache: a tenth of a 2 s start)
            System.exit(runWithoutOptions(System.getenv()));
        }
        System.exit(commandLine(System.getenv(), args).execute(args));
    }

    /** {@code run} with its defaults, answering errors as picocli's handler does ({@link #handleErrors}). */
    static int runWithoutOptions(Map<String, String> env) {
        String home = env.getOrDefault("RUNBOOK_HOME", "");
        try {
            return Run.start(Path.of(home.isEmpty() ? "." : home));
        } catch (CliException failure) {
            System.err.println("error: " + failure.getMessage());
            return failure.exitCode();
        } catch (Exception e) {
            e.printStackTrace();
            return 1;
        }
    }

    /**
     * The command line for {@code args}, as {@link #commandLine(Map)} makes it, but when they start with a
     * subcommand's name, with that subcommand only: picocli reads each command class it registers by reflection
     * (fields, options, mixins, annotations), and a client command that reads one instead of thirteen saves a quarter
     * of its CPU. What it parses, prints and answers is the same; the root's attributes come from its annotation.
     */
    static CommandLine commandLine(Map<String, String> env, String[] args) {
        Command root = RunbookCli.class.getAnnotation(Command.class);
        Class<?> only = null;
        for (Class<?> subcommand : root.subcommands()) {
            if (args.length > 0 && subcommand.getAnnotation(Command.class).name().equals(args[0])) {
                only = subcommand;
            }
        }
        if (only == null) {
            return commandLine(env);
        }
        System.setProperty("picocli.disable.closures", "true");   // see commandLine(Map)
        CommandSpec spec = CommandSpec.wrapWithoutInspection(new RunbookCli(env)).name(root.name())
                .version(root.version()).mixinStandardHelpOptions(root.mixinStandardHelpOptions());
        spec.usageMessage().description(root.description()).footerHeading(root.footerHeading()).footer(root.footer());
        CommandLine cli = new CommandLine(spec);
        cli.addSubcommand(only);
        return handleErrors(cli);
    }

    /** The command line with its error handling: a {@link CliException} prints {@code error: message} and exits with its status. */
    public static CommandLine commandLine(Map<String, String> env) {
        // picocli looks for groovy.lang.Closure (annotations holding Groovy closures), a class that is not there: the
        // JVM would open every jar of the class path to be sure (the engine's 213 when they are on it)
        System.setProperty("picocli.disable.closures", "true");
        return handleErrors(new CommandLine(new RunbookCli(env)));
    }

    private static CommandLine handleErrors(CommandLine cli) {
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException failure) {
                cmd.getErr().println(cmd.getColorScheme().errorText("error: " + failure.getMessage()));
                cmd.getErr().flush();
                return failure.exitCode();
            }
            throw e;
        });
        return cli;
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
            return start(base.dir);
        }

        /** Starts the engine on {@code dir} and returns once it stopped (SIGTERM, SIGINT). */
        static int start(Path dir) throws Exception {
            requireEngine("run");
            // the hook is in place before the start: a stop asked for while the engine starts waits for the start,
            // then closes it (one line each, "ready" and "stopped"), instead of a stack trace
            java.util.concurrent.atomic.AtomicReference<Engine> running = new java.util.concurrent.atomic.AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.await();
                    if (running.get() != null) {
                        running.get().close();
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    org.apache.logging.log4j.LogManager.shutdown();   // its own hook is off: the last lines get out
                    stopped.countDown();
                }
            }, "runbook-shutdown"));
            try {
                running.set(LocalCommands.start(dir));
            } finally {
                started.countDown();
            }
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
            requireEngine("validate");
            List<Problem> problems = LocalCommands.validate(base.dir);
            for (Problem problem : problems) {   // a loop, not a lambda: no method of this class names an engine type
                System.out.println(problem);
            }
            if (problems.isEmpty()) {
                System.out.println("OK: routes/ and schedules/ are valid");
                return 0;
            }
            System.out.println(problems.size() + " problem(s)");
            return 1;
        }
    }

    /**
     * Validates the folders under {@code dir} with a context that is built but never started, holding the engine's
     * properties and a stand-in of each bean the engine binds; the routes are built in its {@code RouteCheck}.
     */
    public static List<Problem> validate(Path dir) throws Exception {
        return LocalCommands.validate(dir);
    }

    /**
     * {@code run} and {@code validate} run engine code in this JVM: on the client commands' class path
     * (runbook-engine-cli.jar: picocli and Jackson) they say so in one line instead of a stack trace.
     */
    private static void requireEngine(String command) {
        if (RunbookCli.class.getClassLoader().getResource("com/runbook/engine/Engine.class") == null) {
            throw new CliException(1, command + " needs the engine on the class path: target/runbook-engine.jar"
                    + " (with its lib/), as ./runbook " + command + " runs it");
        }
    }
}
