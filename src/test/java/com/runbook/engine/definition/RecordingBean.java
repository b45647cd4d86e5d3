package com.runbook.engine.definition;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A bean for route files' {@code beans:} that records every Camel context it is given: a Camel registry hands its
 * context to a CamelContextAware bean when the bean is bound into it, so the engine's context in {@link #contexts}
 * means the bean was bound in the engine's registry.
 */
public class RecordingBean implements CamelContextAware {
    /** Every instance made, in order. */
    static final List<RecordingBean> MADE = new CopyOnWriteArrayList<>();

    private final List<String> contexts = new CopyOnWriteArrayList<>();
    private String label;
    private CamelContext context;

    public RecordingBean() {
        MADE.add(this);
    }

    public String getLabel() {
        return label;
    }

    public void setLabel(String label) {
        this.label = label;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        context = camelContext;
        contexts.add(camelContext.getName());
    }

    /** The names of the contexts this bean was given. */
    List<String> contexts() {
        return List.copyOf(contexts);
    }
}
