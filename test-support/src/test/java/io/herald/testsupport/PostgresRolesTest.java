package io.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/postgres/roles.sql on a real PostgreSQL: each service's Flyway migrations (the real ones, from the
 * repository) run as the service's own role, and no role can read or change another service's schema.
 */
class PostgresRolesTest {

    /** SQLSTATE insufficient_privilege. */
    private static final String DENIED = "42501";
    private static final Map<String, MigrateResult> MIGRATIONS = new java.util.HashMap<>();

    @BeforeAll
    static void migrateEachServiceAsItsRole() {
        for (String service : EmbeddedPostgres.SERVICES) {
            MIGRATIONS.put(service, migrate(EmbeddedPostgres.datasourceOf(service), service));
        }
    }

    private static MigrateResult migrate(Map<String, String> datasource, String service) {
        return Flyway.configure()
                .dataSource(datasource.get("quarkus.datasource.jdbc.url"), datasource.get("quarkus.datasource.username"),
                        datasource.get("quarkus.datasource.password"))
                .schemas(service).defaultSchema(service)
                .locations("filesystem:" + RepositoryFiles.resolve(service + "-service/src/main/resources/db/migration"))
                .load().migrate();
    }

    @Test
    void flywayMigratesEachSchemaAsTheServicesRole() throws SQLException {
        for (String service : EmbeddedPostgres.SERVICES) {
            assertThat(MIGRATIONS.get(service).success).as(service).isTrue();
            assertThat(MIGRATIONS.get(service).migrationsExecuted).as(service).isPositive();
            assertThat(query("postgres", "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = '" + service + "'"))
                    .as("owners of the tables in " + service).containsExactly(EmbeddedPostgres.role(service));
        }
        assertThat(query("herald_rules", "SELECT count(*) FROM rules.room")).containsExactly("0");
        assertThat(query("herald_dispatcher", "SELECT count(*) FROM dispatcher.matrix_account")).containsExactly("0");
        assertThat(query("herald_ingest", "SELECT count(*) FROM ingest.api_keys")).containsExactly("0");
    }

    @Test
    void noServiceReadsAnotherServicesSchema() {
        assertDenied("herald_rules", "SELECT * FROM dispatcher.matrix_account");
        assertDenied("herald_ingest", "SELECT * FROM dispatcher.matrix_account");
        assertDenied("herald_ingest", "SELECT * FROM rules.room");
        assertDenied("herald_dispatcher", "SELECT * FROM ingest.api_keys");
        assertDenied("herald_dispatcher", "SELECT * FROM rules.pusher");
        assertDenied("herald_rules", "SELECT * FROM ingest.api_keys");
    }

    @Test
    void noServiceChangesAnotherServicesSchemaOrMakesNewOnes() {
        assertDenied("herald_rules", "UPDATE dispatcher.matrix_account SET homeserver = 'https://evil.example'");
        assertDenied("herald_rules", "CREATE TABLE dispatcher.planted (id int)");
        assertDenied("herald_ingest", "DROP TABLE rules.room");
        assertDenied("herald_dispatcher", "CREATE SCHEMA elsewhere");
        assertDenied("herald_dispatcher", "CREATE TABLE public.planted (id int)");
    }

    @Test
    void runningTheScriptAgainHandsASharedRolesSchemaToTheService() throws Exception {
        // An install from before the per-service roles: one role owned all three schemas and their tables.
        exec("postgres", "DROP DATABASE IF EXISTS legacy", "CREATE DATABASE legacy");
        exec("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'herald') THEN "
                + "CREATE ROLE herald LOGIN; END IF; END $$", "ALTER DATABASE legacy OWNER TO herald");
        String legacy = EmbeddedPostgres.databaseUrl("legacy");
        Map<String, String> shared = Map.of("quarkus.datasource.jdbc.url", legacy, "quarkus.datasource.username", "herald",
                "quarkus.datasource.password", "");
        assertThat(migrate(shared, "dispatcher").success).isTrue();

        try (Connection c = DriverManager.getConnection(legacy, "postgres", "postgres"); Statement s = c.createStatement()) {
            s.execute(Files.readString(RepositoryFiles.resolve(EmbeddedPostgres.ROLES_SCRIPT)));
        }

        try (Connection c = DriverManager.getConnection(legacy, "postgres", "postgres"); Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'dispatcher'")) {
            List<String> owners = new ArrayList<>();
            while (rs.next()) {
                owners.add(rs.getString(1));
            }
            assertThat(owners).containsExactly("herald_dispatcher");
        }
        try (Connection c = DriverManager.getConnection(legacy, "herald_dispatcher", ""); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO dispatcher.parked_delivery (partition, seq, destination, delivery_id, payload, history)"
                    + " VALUES (0, 1, 'k', 'd', '{}', '[]')");
        }
        try (Connection c = DriverManager.getConnection(legacy, "herald_rules", ""); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM dispatcher.matrix_account"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(DENIED));
        }
    }

    private static void assertDenied(String role, String sql) {
        assertThatThrownBy(() -> exec(role, sql)).as(role + ": " + sql)
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(DENIED));
    }

    private static void exec(String role, String... statements) throws SQLException {
        try (Connection c = connect(role); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static List<String> query(String role, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = connect(role); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static Connection connect(String role) throws SQLException {
        String password = role.equals("postgres") ? "postgres" : EmbeddedPostgres.password(role.substring("herald_".length()));
        return DriverManager.getConnection(EmbeddedPostgres.databaseUrl("postgres"), role, password);
    }
}
