package io.herald.ingest;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

@OpenAPIDefinition(info = @Info(title = "Herald ingest API", version = "0.1.0",
        description = "Notifications, Matrix-shaped events and webhooks into herald.notifications. Errors are RFC 9457"
                + " problem details."),
        components = @Components(securitySchemes = {
                @SecurityScheme(securitySchemeName = "apiKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
                        description = "An API key from POST /v1/admin/api-keys (hrld_…)"),
                @SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
                        description = "A service token (hrldt_…) or an OIDC access token with the admin role")}))
public class IngestApplication extends Application {
}
