package com.runbook.engine.cli;

import com.runbook.engine.Engine;
import com.runbook.engine.definition.Problem;
import com.runbook.engine.definition.Runbooks;
import com.runbook.engine.definition.StandInBeans;
import com.runbook.engine.settings.UnknownSettingException;
import org.apache.camel.impl.DefaultCamelContext;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code run} and {@code validate} do in this JVM, apart from the command classes: picocli reads every command
 * class it registers (for {@code --help} too), and a class whose code catches or passes engine and Camel types cannot
 * be read without them. The client commands' jar (runbook-engine-cli.jar) holds picocli and Jackson only.
 */
final class LocalCommands {
    private LocalCommands() {
    }

    /** Starts the engine on {@code dir}; a misspelled setting or a taken port is one line, not a stack trace. */
    static Engine start(Path dir) throws Exception {
        try {
            return Engine.start(dir, Map.of());
        } catch (UnknownSettingException e) {   // a misspelled setting: its line(s), exit 2
            throw new CliException(2, e.getMessage().replace("\n", "\nerror: "));
        } catch (Engine.CannotStart e) {   // a taken port: one line, exit 1
            throw new CliException(1, e.getMessage());
        }
    }

    /**
     * Validates the folders under {@code dir} with a context that is built but never started, holding the engine's
     * properties and a stand-in of each bean the engine binds; the routes are built in its {@code RouteCheck}.
     */
    static List<Problem> validate(Path dir) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("classpath:application.properties");
            context.setSourceLocationEnabled(true);
            context.disableJMX();
            StandInBeans.bindAll(context.getRegistry());
            context.start();   // it has no route: nothing runs
            return Runbooks.validate(context, dir);
        }
    }
}
