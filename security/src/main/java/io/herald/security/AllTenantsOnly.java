package io.herald.security;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks resources whose data is not (yet) separated by tenant: only callers of every tenant may use them, a caller
 * limited to a tenant gets 403 ({@link AllTenantsOnlyFilter}). Put it beside the role annotation.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface AllTenantsOnly {
}
