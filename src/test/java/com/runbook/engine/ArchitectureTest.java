package com.runbook.engine;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.apache.camel.spi.BeanRepository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The rules of the house, over the compiled main classes: a package graph without cycles, definitions apart from
 * the runtime, HTTP only at its edge, and no module finding another through the Camel registry by name.
 */
class ArchitectureTest {
    private static final String ENGINE = "com.runbook.engine";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ENGINE);
    }

    /** The engine's own top-level package, for the root package's classes ({@code Engine}, ...) "(root)". */
    private static String packageOf(JavaClass c) {
        String name = c.getPackageName();
        if (name.equals(ENGINE)) {
            return "(root)";
        }
        String rest = name.substring(ENGINE.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    /** Engine, the composition root, with its nested and anonymous classes. */
    private static boolean isEngine(JavaClass c) {
        return c.getName().equals(ENGINE + ".Engine") || c.getName().startsWith(ENGINE + ".Engine$");
    }

    @Test
    void noCycleBetweenPackages() {
        slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass c) {
                return c.getPackageName().startsWith(ENGINE) ? SliceIdentifier.of(packageOf(c)) : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "the engine's packages (the root package is one)";
            }
        }).should().beFreeOfCycles().check(classes);
    }

    /** What validate reads and checks never depends on the runtime: definition imports no other engine package. */
    @Test
    void definitionsNeverImportTheRuntime() {
        noClasses().that().resideInAPackage(ENGINE + ".definition..")
                .should().dependOnClassesThat(new DescribedPredicate<>("are engine classes outside definition") {
                    @Override
                    public boolean test(JavaClass c) {
                        return c.getPackageName().startsWith(ENGINE) && !packageOf(c).equals("definition");
                    }
                }).check(classes);
    }

    /** Engine is the composition root, not a service locator: no feature imports it; only the command line starts it. */
    @Test
    void onlyTheCommandLineImportsTheRootPackage() {
        noClasses().that(new DescribedPredicate<>("are outside the root package and cli") {
            @Override
            public boolean test(JavaClass c) {
                return !packageOf(c).equals("(root)") && !packageOf(c).equals("cli");
            }
        }).should().dependOnClassesThat().resideInAPackage(ENGINE).check(classes);
    }

    /** Only the HTTP edge, and Engine which builds it, know HTTP: status codes, Http, ApiException, HttpDoors. */
    @Test
    void onlyTheHttpEdgeImportsIt() {
        noClasses().that(new DescribedPredicate<>("are outside http and not Engine") {
            @Override
            public boolean test(JavaClass c) {
                return !packageOf(c).equals("http") && !isEngine(c);
            }
        }).should().dependOnClassesThat().resideInAPackage(ENGINE + ".http..").check(classes);
    }

    /**
     * Modules never look each other up by registry name or type: they get typed parts from Engine. Exceptions:
     * Engine (the composition root binds and may read what it bound); definition (its checker judges a file's
     * {@code #bean} references against the beans bound, a look-up by the name a YAML file writes, and RouteCheck
     * wraps a registry to hide beans from a file); {@code observe.MetricsModule.registry} (the Micrometer registry
     * camel-micrometer creates and binds, found where Engine asks for it).
     */
    @Test
    void modulesNeverLookEachOtherUpInTheRegistry() {
        Set<String> lookups = Set.of("lookupByName", "lookupByNameAndType", "findSingleByType", "findByType",
                "findByTypeWithName");
        noClasses().should().callMethodWhere(new DescribedPredicate<>("a registry look-up outside Engine, definition"
                + " and observe.MetricsModule.registry") {
            @Override
            public boolean test(JavaMethodCall call) {
                JavaClass origin = call.getOriginOwner();
                boolean lookup = lookups.contains(call.getTarget().getName())
                        && call.getTargetOwner().isAssignableTo(BeanRepository.class);
                boolean allowed = isEngine(origin) || packageOf(origin).equals("definition")
                        || (origin.getName().equals(ENGINE + ".observe.MetricsModule")
                        && call.getOrigin().getName().equals("registry"));
                return lookup && !allowed;
            }
        }).check(classes);
    }
}
