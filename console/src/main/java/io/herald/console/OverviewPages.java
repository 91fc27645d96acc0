package io.herald.console;

import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** Rates, backlog and per-homeserver health (the dispatcher's {@code GET /v1/overview}); the panel is polled. */
@Path(Page.ROOT + "/overview")
@PermitAll
@Blocking
public class OverviewPages {

    private final Page page;

    OverviewPages(Page page) {
        this.page = page;
    }

    @GET
    public Response overview() {
        return Page.html(page.render("overview", "overview", data()));
    }

    /** The panel alone, which the page fetches every few seconds. */
    @GET
    @Path("panel")
    public Response panel() {
        return Page.html(page.render("overview-panel", "overview", data()));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> data() {
        Map<String, Object> o = (Map<String, Object>) Apis.plain(page.get(Apis.Service.DISPATCHER, "/v1/overview"));
        for (Map<String, Object> h : (java.util.List<Map<String, Object>>) o.getOrDefault("homeservers",
                java.util.List.of())) {
            h.put("success", h.get("success_rate") instanceof Number n
                    ? String.format(java.util.Locale.ROOT, "%.1f %%", n.doubleValue() * 100) : "–");
        }
        return Map.of("o", o, "rateIn", rate(o.get("notifications_per_second")),
                "rateOut", rate(o.get("deliveries_per_second")));
    }

    private static String rate(Object value) {
        return value instanceof Number n ? String.format(java.util.Locale.ROOT, "%.2f", n.doubleValue()) : "–";
    }
}
