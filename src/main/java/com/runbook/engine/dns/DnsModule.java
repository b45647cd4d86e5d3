package com.runbook.engine.dns;

import com.runbook.engine.core.EngineModule;
import com.runbook.engine.core.Parts;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The DNS failover ({@code dnsFailover}) the DNS runbooks call, and the failover, rollback and changes doors. */
public final class DnsModule implements EngineModule {
    @Override
    public void start(Parts parts) throws Exception {
        Function<String, String> property = key -> parts.settings().get(key, null);
        DnsConfig config = DnsConfig.from(property);
        List<String> problems = new ArrayList<>();
        DnsProvider provider = DnsProviders.create(config.provider(), property, problems);
        DnsFailover failover = new DnsFailover(config.withProblems(problems), provider,
                new DnsChangeStore(parts.db()), parts::incidents, parts::notifier);
        parts.camel().getRegistry().bind("dnsFailover", failover);
        parts.camel().addRoutes(new DnsApi(() -> failover, parts.apiToken()));
    }
}
