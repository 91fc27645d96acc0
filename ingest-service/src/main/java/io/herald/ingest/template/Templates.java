package io.herald.ingest.template;

import io.herald.common.problem.Problem;
import io.herald.common.changes.ChangeEvent;
import io.herald.common.changes.ChangeFeed;
import io.quarkus.qute.Engine;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateException;
import io.quarkus.qute.Variant;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Message templates of webhooks, with Qute: the stored ones ({@link TemplateStore}) compiled and held in memory, and the
 * built-in defaults (Alertmanager's, from {@code default-templates/}). A template saved through any instance is in
 * effect there at once and on the others through {@code herald.changes} (kind {@code template}), within a second;
 * every instance also reads them all again every minute (the safety net for a lost change event). A request never
 * waits for the database here.
 */
@ApplicationScoped
public class Templates {

    private static final Logger LOG = Logger.getLogger(Templates.class);
    /** Webhooks with a built-in template. */
    public static final List<String> BUILT_IN = List.of("alertmanager");
    private static final Variant HTML = Variant.forContentType(Variant.TEXT_HTML);

    /** A template set, compiled; {@code null} parts are absent. */
    public record Compiled(TemplateSet source, Template subject, Template body, Template html, Template priority,
            Template mentions) {
    }

    private final Engine engine;
    private final TemplateStore store;
    private final ChangeFeed changes;
    private final Map<String, Compiled> builtIn = new ConcurrentHashMap<>();
    private volatile Map<String, Compiled> stored = Map.of();
    private ScheduledExecutorService reloader;

    Templates(Engine engine, TemplateStore store, ChangeFeed changes) {
        this.engine = engine;
        this.store = store;
        this.changes = changes;
        for (String name : BUILT_IN) {
            TemplateSet set = new TemplateSet(name, resource(name + ".subject"), resource(name + ".body"), null,
                    resource(name + ".priority"), null, true, null);
            builtIn.put(name, compile(set));
        }
    }

    void start(@Observes StartupEvent event) {
        changes.listen(e -> {
            if (e.kind() == ChangeEvent.Kind.TEMPLATE) {
                reloadQuietly();
            }
        });
        reloadQuietly();
        reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "template-reloader");
            t.setDaemon(true);
            return t;
        });
        reloader.scheduleWithFixedDelay(this::reloadQuietly, 1, 1, TimeUnit.MINUTES);
    }

    void stop(@Observes ShutdownEvent event) {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }

    /** The template of a webhook: the stored one, else the built-in default, else none. */
    public Optional<Compiled> of(String name) {
        Compiled own = stored.get(name);
        return Optional.ofNullable(own != null ? own : builtIn.get(name));
    }

    /** The built-in default of a webhook, if it has one. */
    public Optional<TemplateSet> builtIn(String name) {
        return Optional.ofNullable(builtIn.get(name)).map(Compiled::source);
    }

    /** Every part that does not compile, naming the part and the line. */
    public List<Problem.FieldError> problems(TemplateSet set) {
        List<Problem.FieldError> errors = new ArrayList<>();
        check(errors, "subject", set.subject(), false);
        check(errors, "body", set.body(), false);
        check(errors, "html", set.html(), true);
        check(errors, "priority", set.priority(), false);
        check(errors, "mentions", set.mentions(), false);
        return errors;
    }

    /** Saves a template (it must have passed {@link #problems}): in effect here at once, elsewhere within a second. */
    public TemplateSet save(TemplateSet set) {
        TemplateSet saved = store.save(set);
        reloadQuietly();
        changes.publish(ChangeEvent.Kind.TEMPLATE, set.name());
        return saved;
    }

    public boolean delete(String name) {
        boolean deleted = store.delete(name);
        reloadQuietly();
        changes.publish(ChangeEvent.Kind.TEMPLATE, name);
        return deleted;
    }

    /** Renders a part; "" for an absent part, and for a part that fails (logged: the sender cannot fix it). */
    public static String render(Template template, Map<String, Object> data, String what) {
        if (template == null) {
            return "";
        }
        try {
            var instance = template.instance();
            data.forEach(instance::data);
            return instance.render().strip();
        } catch (TemplateException | IllegalStateException e) {
            LOG.warnf("the template %s could not be rendered: %s", what, e.getMessage());
            return "";
        }
    }

    private void check(List<Problem.FieldError> errors, String part, String text, boolean html) {
        if (text == null) {
            return;
        }
        if (text.indexOf('\u0000') >= 0) {
            errors.add(new Problem.FieldError(part, "must not contain NUL characters")); // PostgreSQL cannot store them
            return;
        }
        try {
            parse(text, html);
        } catch (TemplateException e) {
            int line = e.getOrigin() == null ? -1 : e.getOrigin().getLine();
            errors.add(new Problem.FieldError(part, (line > 0 ? "line " + line + ": " : "") + e.getMessage()));
        }
    }

    private Compiled compile(TemplateSet set) {
        return new Compiled(set, parse(set.subject(), false), parse(set.body(), false), parse(set.html(), true),
                parse(set.priority(), false), parse(set.mentions(), false));
    }

    /** Text parts are not escaped; the HTML part escapes what it inserts (the values come from the payload). */
    private Template parse(String text, boolean html) {
        return text == null ? null : html ? engine.parse(text, HTML) : engine.parse(text);
    }

    private void reloadQuietly() {
        try {
            Map<String, Compiled> compiled = new ConcurrentHashMap<>();
            for (TemplateSet set : store.list()) {
                try {
                    compiled.put(set.name(), compile(set));
                } catch (TemplateException e) {
                    LOG.errorf("stored template %s does not compile (the built-in default, if any, is used): %s",
                            set.name(), e.getMessage());
                }
            }
            stored = compiled;
        } catch (RuntimeException e) {
            LOG.warnf("templates could not be read (kept as they were): %s", e.getMessage());
        }
    }

    private static String resource(String name) {
        try (InputStream in = Templates.class.getResourceAsStream("/default-templates/" + name + ".qute")) {
            if (in == null) {
                throw new IllegalStateException("built-in template " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
