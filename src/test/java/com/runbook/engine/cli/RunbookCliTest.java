package com.runbook.engine.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code main} builds the command line with the one subcommand it runs ({@code RunbookCli.commandLine(env, args)});
 * whatever the arguments, it parses, prints and exits as the command line with every subcommand does.
 */
class RunbookCliTest {
    record Result(int code, String out, String err) {
    }

    static Result run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void theCommandLineOfOneSubcommandAnswersAsTheWholeOne() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Map<String, String> env = Map.of("RUNBOOK_URL", "http://127.0.0.1:" + port, "RUNBOOK_API_TOKEN", "t",
                "USER", "alice");
        for (List<String> args : List.<List<String>>of(List.of("list"), List.of("list", "--help"), List.of("list", "--bogus"),
                List.of("list", "-V"), List.of("trigger"), List.of("trigger", "heartbeat", "--wait", "--timeout", "x"),
                List.of("trigger", "heartbeat", "-p", "dryRun=true"), List.of("trigger", "--help"),
                List.of("history", "--help"), List.of("history", "-n", "3"), List.of("show"), List.of("show", "--help"),
                List.of("logs", "--help"), List.of("incidents", "--open"), List.of("ack", "12"),
                List.of("windows", "--json"), List.of("schedules", "--help"), List.of("audit", "--help"),
                List.of("audit", "--verify"), List.of("token"), List.of("token", "--help"), List.of("token", "list"),
                List.of("token", "create", "bob"), List.of("token", "create", "--help"), List.of("run", "--help"),
                List.of("validate", "--help"), List.of("--help"), List.of("-V"), List.<String>of(), List.of("lst"))) {
            String[] arguments = args.toArray(String[]::new);
            Result whole = run(RunbookCli.commandLine(env), arguments);
            Result one = run(RunbookCli.commandLine(env, arguments), arguments);
            assertThat(one).as(String.join(" ", args)).isEqualTo(whole);
        }
    }
}
