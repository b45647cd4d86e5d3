package com.runbook.engine.dryrun;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.ExchangeBuilder;
import org.apache.camel.component.bean.BeanComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BeanGuardTest {

    @Test
    void aBodyOgnlCallIntrospectsTheBodysClassOnceNotEveryMessage() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            BeanGuard.install(context, plan -> { });
            for (int i = 0; i < 50; i++) {
                Exchange x = ExchangeBuilder.anExchange(context)
                        .withBody(Map.of("alertname", "RegionDown", "region", "r-" + i)).build();
                assertThat(context.resolveLanguage("simple").createPredicate("${body[region]} == 'r-" + i + "'")
                        .matches(x)).isTrue();
            }
            Field cache = BeanComponent.class.getDeclaredField("beanInfoCache");
            cache.setAccessible(true);
            Map<?, ?> introspected = (Map<?, ?>) cache.get(context.getComponent("bean", BeanComponent.class));
            assertThat(introspected).isInstanceOf(BeanGuard.GuardedCache.class).hasSizeLessThanOrEqualTo(2);
        }
    }
}
