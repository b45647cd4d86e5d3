package com.runbook.engine.dryrun;

import com.runbook.engine.core.DryRun;
import com.runbook.engine.core.DryRunSafe;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.bean.BeanComponent;
import org.apache.camel.component.bean.BeanInfo;
import org.apache.camel.component.bean.BeanInfoCacheKey;
import org.apache.camel.component.bean.MethodInfo;
import org.apache.camel.component.bean.ParameterMappingStrategy;
import org.apache.camel.component.bean.ParameterMappingStrategyHelper;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Every bean method a route calls (bean EIP, {@code bean:} and {@code class:} URIs, {@code method} and {@code bean}
 * expressions, OGNL calls in simple) is invoked through Camel's {@link MethodInfo}. Camel keeps the bean introspection
 * of each class in the bean component's cache; this guard puts its own cache there, whose entries are introspected
 * with a {@link MethodInfo} that checks, in a dry run, that the method is {@link DryRunSafe} before calling it
 * (otherwise the dry run fails naming it), and calls a safe method with the run's plan as the thread's
 * {@link DryRun#current()} (the plan follows the exchange onto split, wireTap and parallel threads). Real runs are
 * not touched.
 */
final class BeanGuard {
    /** At most this many bean introspections are kept (the cache is emptied when it is full; entries are rebuilt). */
    static final int MAX_CACHED = 2000;

    private BeanGuard() {
    }

    /**
     * Puts the guarding cache into the context's {@code bean} component.
     *
     * @throws IllegalStateException when this Camel has no bean-introspection cache where 4.17 has it (the engine
     *                               does not start rather than run dry runs without the guard)
     */
    static void install(CamelContext context, Consumer<DryRun> recorded) {
        BeanComponent component = context.getComponent("bean", BeanComponent.class);
        ParameterMappingStrategy strategy = ParameterMappingStrategyHelper.createParameterMappingStrategy(context);
        try {
            Field cache = BeanComponent.class.getDeclaredField("beanInfoCache");
            cache.setAccessible(true);
            cache.set(component, new GuardedCache(context, strategy, component, recorded));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("the dry run cannot guard bean methods with this Camel version"
                    + " (BeanComponent.beanInfoCache): " + e, e);
        }
    }

    /** Whether a dry run may call {@code method} on {@code pojo}. */
    static boolean safe(Method method, Object pojo) {
        if (method.isAnnotationPresent(DryRunSafe.class)) {
            return true;
        }
        Class<?> type = pojo != null ? pojo.getClass() : method.getDeclaringClass();
        if (markedInHierarchy(type, method)) {
            return true;
        }
        return harmless(method);
    }

    private static boolean markedInHierarchy(Class<?> type, Method method) {
        if (type == null || type == Object.class) {
            return false;
        }
        try {
            Method m = type.getDeclaredMethod(method.getName(), method.getParameterTypes());
            if (m.isAnnotationPresent(DryRunSafe.class)) {
                return true;
            }
        } catch (NoSuchMethodException e) {
            // not declared here
        }
        for (Class<?> i : type.getInterfaces()) {
            if (markedInHierarchy(i, method)) {
                return true;
            }
        }
        return markedInHierarchy(type.getSuperclass(), method);
    }

    /** Packages whose methods only compute on values (strings, numbers, dates, collections) in memory. */
    private static final Set<String> VALUE_PACKAGES = Set.of("java.lang", "java.util", "java.time", "java.math",
            "java.text", "java.util.regex", "java.util.stream", "java.time.format", "java.time.temporal");
    /** Classes of those packages that reach outside the process or the JVM's state. */
    private static final Set<Class<?>> NOT_VALUES = Set.of(Runtime.class, ProcessBuilder.class, Process.class,
            System.class, Thread.class, ClassLoader.class, ThreadGroup.class);

    /**
     * Methods that cannot have an effect outside the run: those of value types and collections (OGNL in simple:
     * {@code ${body.size}}, {@code ${header.day.toUpperCase()}}) and a record's component accessors.
     */
    static boolean harmless(Method method) {
        Class<?> declaring = method.getDeclaringClass();
        if (VALUE_PACKAGES.contains(declaring.getPackageName()) && !NOT_VALUES.contains(declaring)) {
            return true;
        }
        return declaring.isRecord() && method.getParameterCount() == 0 && Arrays.stream(declaring.getRecordComponents())
                .map(RecordComponent::getName).anyMatch(method.getName()::equals);
    }

    /** The message of a dry run that reached {@code method} unmarked. */
    static String refusal(Method method, Object pojo) {
        Class<?> type = pojo != null ? pojo.getClass() : method.getDeclaringClass();
        return "dry run: bean method " + type.getSimpleName() + "." + method.getName() + " (" + type.getName()
                + ") is not @DryRunSafe; it was not called";
    }

    /** The bean component's introspection cache: a miss introspects the class with guarded methods. */
    static final class GuardedCache extends ConcurrentHashMap<BeanInfoCacheKey, BeanInfo> {
        /** Set while this thread introspects: the BeanInfo being built must find nothing in the cache. */
        private static final ThreadLocal<Boolean> BUILDING = new ThreadLocal<>();
        private final transient CamelContext context;
        private final transient ParameterMappingStrategy strategy;
        private final transient BeanComponent component;
        private final transient Consumer<DryRun> recorded;

        GuardedCache(CamelContext context, ParameterMappingStrategy strategy, BeanComponent component,
                     Consumer<DryRun> recorded) {
            this.context = context;
            this.strategy = strategy;
            this.component = component;
            this.recorded = recorded;
        }

        @Override
        public BeanInfo get(Object key) {
            if (BUILDING.get() != null || !(key instanceof BeanInfoCacheKey k)) {
                return super.get(key);
            }
            // one introspection per class (and explicit method), as Camel's own second lookup does: the key Camel
            // asks with first holds the bean instance (for a body OGNL call such as ${body[alertname]}, each alert's
            // label map, by content), which would introspect the class again for every message
            Class<?> type = (Class<?>) field(k, TYPE);
            Method explicit = (Method) field(k, EXPLICIT_METHOD);
            BeanInfoCacheKey byClass = field(k, INSTANCE) == null ? k : new BeanInfoCacheKey(type, null, explicit);
            BeanInfo info = super.get(byClass);
            if (info != null) {
                return info;
            }
            if (size() >= MAX_CACHED) {
                clear();
            }
            BUILDING.set(Boolean.TRUE);
            try {
                GUARD_RECORDED.set(recorded);
                info = new GuardedBeanInfo(context, type, null, explicit, strategy, component);
            } finally {
                BUILDING.remove();
                GUARD_RECORDED.remove();
            }
            BeanInfo cached = super.putIfAbsent(byClass, info);
            return cached != null ? cached : info;
        }

        private static final Field TYPE = keyField("type");
        private static final Field INSTANCE = keyField("instance");
        private static final Field EXPLICIT_METHOD = keyField("explicitMethod");

        private static Field keyField(String name) {
            try {
                Field f = BeanInfoCacheKey.class.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("the dry run cannot guard bean methods with this Camel version"
                        + " (BeanInfoCacheKey." + name + "): " + e, e);
            }
        }

        private static Object field(BeanInfoCacheKey key, Field f) {
            try {
                return f.get(key);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("BeanInfoCacheKey." + f.getName() + ": " + e, e);
            }
        }
    }

    /** What the introspection being built on this thread tells after a guarded call (BeanInfo's super constructor
     * introspects before a subclass field could be set). */
    private static final ThreadLocal<Consumer<DryRun>> GUARD_RECORDED = new ThreadLocal<>();

    /** A bean introspection whose methods are {@link GuardedMethod}s. */
    static final class GuardedBeanInfo extends BeanInfo {
        GuardedBeanInfo(CamelContext context, Class<?> type, Object instance, Method explicitMethod,
                        ParameterMappingStrategy strategy, BeanComponent component) {
            super(context, type, instance, explicitMethod, strategy, component);
        }

        @Override
        protected MethodInfo createMethodInfo(Class<?> clazz, Method method) {
            MethodInfo plain = super.createMethodInfo(clazz, method);
            Consumer<DryRun> recorded = GUARD_RECORDED.get();
            return new GuardedMethod(getCamelContext(), plain.getType(), plain.getMethod(), plain.getParameters(),
                    plain.getBodyParameters(), plain.hasCustomAnnotation(), plain.hasHandlerAnnotation(),
                    recorded == null ? plan -> { } : recorded);
        }
    }

    /** Camel's method invocation, checked in a dry run. */
    static final class GuardedMethod extends MethodInfo {
        private final Consumer<DryRun> recorded;

        @SuppressWarnings({"rawtypes", "unchecked"})
        GuardedMethod(CamelContext context, Class<?> type, Method method, List parameters, List bodyParameters,
                      boolean hasCustomAnnotation, boolean hasHandlerAnnotation, Consumer<DryRun> recorded) {
            super(context, type, method, parameters, bodyParameters, hasCustomAnnotation, hasHandlerAnnotation);
            this.recorded = recorded;
        }

        @Override
        protected Object invoke(Method method, Object pojo, Object[] arguments, Exchange exchange)
                throws InvocationTargetException {
            Optional<DryRun> plan = RemoteEndpoints.planOf(exchange);
            if (plan.isEmpty()) {
                return super.invoke(method, pojo, arguments, exchange);
            }
            if (!safe(method, pojo)) {
                throw new DryRunRefused(refusal(method, pojo));
            }
            DryRun before = DryRun.enter(plan.get());
            try {
                return super.invoke(method, pojo, arguments, exchange);
            } finally {
                DryRun.enter(before);
                recorded.accept(plan.get());
            }
        }
    }
}
