package com.runbook.engine.incident;

import com.runbook.engine.ShippedSettings;

import java.util.Map;

/** The priority policy of the shipped application.properties with overrides, for tests in any package. */
public final class ShippedPolicy {
    private ShippedPolicy() {
    }

    public static PriorityPolicy with(Map<String, String> overrides) {
        return PriorityPolicy.from(ShippedSettings.with(overrides));
    }
}
