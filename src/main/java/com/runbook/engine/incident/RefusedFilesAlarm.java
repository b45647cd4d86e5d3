package com.runbook.engine.incident;

import com.runbook.engine.definition.FileState;
import com.runbook.engine.definition.Runbooks;

import com.runbook.engine.core.Parts;
import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.IncidentRaiser;
import io.micrometer.core.instrument.Gauge;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes refused runbook files seen beyond the API: the gauge {@code runbook_files_refused}, and a P2 incident
 * ({@code RunbookRefused/<file>}) for each refused file that something runs unattended (a schedule, the alert routing),
 * resolved when the file is applied again or removed (also when that happened while the engine was down).
 */
public final class RefusedFilesAlarm implements EngineModule, Runbooks.Listener {
    public static final String KEY = "RunbookRefused/";
    private final AtomicInteger refused = new AtomicInteger();
    private final Set<String> raised = new HashSet<>();
    private Parts parts;
    private boolean first = true;


    @Override
    public void start(Parts parts) {
        this.parts = parts;
        Gauge.builder("runbook.files.refused", refused, AtomicInteger::get)
                .description("Runbook files (routes/, schedules/) refused and not running as written")
                .register(parts.meters());
        parts.runbooks().addListener(this);
    }

    @Override
    public synchronized void changed(List<FileState> states) {
        refused.set((int) states.stream().filter(FileState::refused).count());
        IncidentRaiser incidents = parts.incidents();
        if (incidents == null) {
            return;
        }
        Set<String> alarmed = new HashSet<>();
        for (FileState s : states) {
            if (s.refused() && parts.runbooks().runsUnattended(s.file())) {
                alarmed.add(s.file());
                if (raised.add(s.file())) {
                    incidents.raise(KEY + s.file(), "P2", "Runbook file refused: " + s.file(),
                            "It will not run as written when it is due" + (s.previousVersionRunning()
                                    ? " (its previous version is still running)" : "") + ":\n"
                                    + String.join("\n", s.problems()), Map.of("file", s.file(), "source", "runbooks"));
                }
            }
        }
        if (first && incidents instanceof IncidentService service) {
            // incidents left open by the previous run, also of files deleted while the engine was down
            service.openKeysStartingWith(KEY).forEach(k -> raised.add(k.substring(KEY.length())));
        }
        first = false;
        for (String file : List.copyOf(raised)) {
            if (!alarmed.contains(file)) {
                incidents.resolve(KEY + file, file + " is applied again or gone");
                raised.remove(file);
            }
        }
    }
}
