package io.herald.rules.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.pushrules.PushAction;
import io.herald.pushrules.PushRule;
import io.herald.pushrules.PushRuleSet;
import io.herald.pushrules.PushRulesJson;
import io.herald.pushrules.RuleKey;
import io.herald.pushrules.RuleKind;
import io.herald.pushrules.RuleOverride;
import io.herald.rules.db.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * PostgreSQL storage of members, user push rules, overrides of server-default rules and pushers (schema
 * {@code rules}, see {@code V2__push.sql}). Plain JDBC enlisted in the JTA transaction of the caller.
 */
@ApplicationScoped
public class PushStore {

    /** A member of a Herald room. */
    public record MemberRow(String userId, String displayName, long powerLevel) {
    }

    /** A pusher as {@code /pushers/set} registered it; {@code data} includes {@code url} and {@code format}. */
    public record PusherRow(String userId, String appId, String pushkey, String kind, String appDisplayName,
            String deviceDisplayName, String profileTag, String lang, ObjectNode data, long pushkeyTs) {
    }

    /**
     * A Herald room's link: the Matrix room and the dispatcher account posting there, both null when unlinked, and the
     * tenant owning the room (null for rooms made before tenants existed).
     */
    public record RoomRow(String key, String matrixRoomId, String account, String tenant, List<String> sourceAccounts) {
        public RoomRow(String key, String matrixRoomId, String account, String tenant) {
            this(key, matrixRoomId, account, tenant, List.of());
        }

        public boolean linkedToMatrix() {
            return matrixRoomId != null && account != null;
        }

        /** The account to post as: the one a notification asks for when the room lists it, else the room's. */
        public String accountFor(String asked) {
            return asked != null && sourceAccounts.contains(asked) ? asked : account;
        }
    }

    /** The stored rules and overrides of one user. */
    public record UserRules(PushRuleSet rules, Map<RuleKey, RuleOverride> overrides) {
    }

    private final Sql sql;

    PushStore(DataSource dataSource) {
        this.sql = new Sql(dataSource);
    }

    // ---- rooms

    /** The room, or null when there is none. */
    @Transactional
    public RoomRow room(String key) {
        List<RoomRow> rows = query("SELECT room_key, matrix_room_id, account, tenant, source_accounts FROM rules.room"
                        + " WHERE room_key = ?", ps -> ps.setString(1, key),
                rs -> new RoomRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5) == null ? List.of() : List.of(rs.getString(5).split(","))));
        return rows.isEmpty() ? null : rows.get(0);
    }

    // ---- members

    @Transactional
    public List<MemberRow> members(String room) {
        return query("SELECT user_id, display_name, power_level FROM rules.room_member WHERE room_key = ? ORDER BY user_id",
                ps -> ps.setString(1, room),
                rs -> new MemberRow(rs.getString(1), rs.getString(2), rs.getLong(3)));
    }

    /** Inserts or updates a member; {@code true} when it was created. */
    @Transactional
    public boolean putMember(String room, String userId, String displayName, long powerLevel) {
        int updated = update("UPDATE rules.room_member SET display_name = ?, power_level = ?, updated_at = now()"
                + " WHERE room_key = ? AND user_id = ?", ps -> {
                    ps.setString(1, displayName);
                    ps.setLong(2, powerLevel);
                    ps.setString(3, room);
                    ps.setString(4, userId);
                });
        if (updated > 0) {
            return false;
        }
        update("INSERT INTO rules.room_member (room_key, user_id, display_name, power_level) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (room_key, user_id) DO UPDATE SET display_name = EXCLUDED.display_name,"
                + " power_level = EXCLUDED.power_level, updated_at = now()", ps -> {
                    ps.setString(1, room);
                    ps.setString(2, userId);
                    ps.setString(3, displayName);
                    ps.setLong(4, powerLevel);
                });
        return true;
    }

    @Transactional
    public boolean deleteMember(String room, String userId) {
        return update("DELETE FROM rules.room_member WHERE room_key = ? AND user_id = ?", ps -> {
            ps.setString(1, room);
            ps.setString(2, userId);
        }) > 0;
    }

    // ---- push rules

    @Transactional
    public UserRules userRules(String userId) {
        Map<RuleKind, List<PushRule>> rules = new EnumMap<>(RuleKind.class);
        query("SELECT kind, body FROM rules.push_rule WHERE user_id = ? ORDER BY kind, position",
                ps -> ps.setString(1, userId), rs -> {
                    rules.computeIfAbsent(RuleKind.fromWireName(rs.getString(1)), k -> new ArrayList<>())
                            .add(PushRulesJson.parseRule(readTree(rs.getString(2))));
                    return null;
                });
        Map<RuleKey, RuleOverride> overrides = new HashMap<>();
        query("SELECT kind, rule_id, enabled, actions FROM rules.push_rule_override WHERE user_id = ?",
                ps -> ps.setString(1, userId), rs -> {
                    Boolean enabled = (Boolean) rs.getObject(3);
                    String actions = rs.getString(4);
                    overrides.put(new RuleKey(RuleKind.fromWireName(rs.getString(1)), rs.getString(2)),
                            new RuleOverride(enabled, actions == null ? null : PushRulesJson.parseActions(readTree(actions))));
                    return null;
                });
        return new UserRules(PushRuleSet.of(rules), overrides);
    }

    /** The stored rules and overrides of many users at once (users without any are left out). */
    @Transactional
    public Map<String, UserRules> userRules(Collection<String> userIds) {
        Map<String, Map<RuleKind, List<PushRule>>> rules = new HashMap<>();
        Map<String, Map<RuleKey, RuleOverride>> overrides = new HashMap<>();
        query("SELECT user_id, kind, body FROM rules.push_rule WHERE user_id = ANY(?) ORDER BY user_id, kind, position",
                Sql.varchars(userIds), rs -> {
                    rules.computeIfAbsent(rs.getString(1), u -> new EnumMap<>(RuleKind.class))
                            .computeIfAbsent(RuleKind.fromWireName(rs.getString(2)), k -> new ArrayList<>())
                            .add(PushRulesJson.parseRule(readTree(rs.getString(3))));
                    return null;
                });
        query("SELECT user_id, kind, rule_id, enabled, actions FROM rules.push_rule_override WHERE user_id = ANY(?)",
                Sql.varchars(userIds), rs -> {
                    String actions = rs.getString(5);
                    overrides.computeIfAbsent(rs.getString(1), u -> new HashMap<>()).put(
                            new RuleKey(RuleKind.fromWireName(rs.getString(2)), rs.getString(3)),
                            new RuleOverride((Boolean) rs.getObject(4),
                                    actions == null ? null : PushRulesJson.parseActions(readTree(actions))));
                    return null;
                });
        Map<String, UserRules> out = new HashMap<>();
        Set<String> users = new HashSet<>(rules.keySet());
        users.addAll(overrides.keySet());
        for (String user : users) {
            out.put(user, new UserRules(PushRuleSet.of(rules.getOrDefault(user, Map.of())),
                    overrides.getOrDefault(user, Map.of())));
        }
        return out;
    }

    /** Serialises writers per user so positions stay consistent. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void lockUser(String userId) {
        query("SELECT pg_advisory_xact_lock(hashtext(?))", ps -> ps.setString(1, "push:" + userId), rs -> null);
    }

    /** Rule ids of one kind, most important first. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<String> ruleIds(String userId, RuleKind kind) {
        return query("SELECT rule_id FROM rules.push_rule WHERE user_id = ? AND kind = ? ORDER BY position",
                ps -> {
                    ps.setString(1, userId);
                    ps.setString(2, kind.wireName());
                }, rs -> rs.getString(1));
    }

    /** Writes (insert or update) a rule, then the positions of all rules of its kind in {@code order}. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void saveRule(String userId, RuleKind kind, PushRule rule, List<String> order) {
        String body = PushRulesJson.toJson(kind, rule).toString();
        update("INSERT INTO rules.push_rule (user_id, kind, rule_id, position, body) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (user_id, kind, rule_id) DO UPDATE SET body = EXCLUDED.body", ps -> {
                    ps.setString(1, userId);
                    ps.setString(2, kind.wireName());
                    ps.setString(3, rule.ruleId());
                    ps.setInt(4, order.indexOf(rule.ruleId()));
                    ps.setString(5, body);
                });
        if (order != null) {
            withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE rules.push_rule SET position = ? WHERE user_id = ? AND kind = ? AND rule_id = ?")) {
                    for (int i = 0; i < order.size(); i++) {
                        ps.setInt(1, i);
                        ps.setString(2, userId);
                        ps.setString(3, kind.wireName());
                        ps.setString(4, order.get(i));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        }
    }

    @Transactional
    public boolean deleteRule(String userId, RuleKind kind, String ruleId) {
        return deleteRow("push_rule", userId, kind, ruleId);
    }

    /** Deletes the user's changes to a server-default rule; false when there were none. */
    @Transactional
    public boolean deleteOverride(String userId, RuleKind kind, String ruleId) {
        return deleteRow("push_rule_override", userId, kind, ruleId);
    }

    /** Deletes a user's row of a rule table ({@code push_rule} or {@code push_rule_override}); false when none. */
    private boolean deleteRow(String table, String userId, RuleKind kind, String ruleId) {
        return update("DELETE FROM rules." + table + " WHERE user_id = ? AND kind = ? AND rule_id = ?", ps -> {
            ps.setString(1, userId);
            ps.setString(2, kind.wireName());
            ps.setString(3, ruleId);
        }) > 0;
    }

    /** Sets one component of the override of a server-default rule ({@code null} arguments keep the other). */
    @Transactional
    public void saveOverride(String userId, RuleKind kind, String ruleId, Boolean enabled, List<PushAction> actions) {
        String actionsJson = actions == null ? null : PushRulesJson.actionsToJson(actions).toString();
        update("INSERT INTO rules.push_rule_override (user_id, kind, rule_id, enabled, actions) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (user_id, kind, rule_id) DO UPDATE SET"
                + " enabled = COALESCE(EXCLUDED.enabled, rules.push_rule_override.enabled),"
                + " actions = COALESCE(EXCLUDED.actions, rules.push_rule_override.actions)", ps -> {
                    ps.setString(1, userId);
                    ps.setString(2, kind.wireName());
                    ps.setString(3, ruleId);
                    if (enabled == null) {
                        ps.setNull(4, Types.BOOLEAN);
                    } else {
                        ps.setBoolean(4, enabled);
                    }
                    ps.setString(5, actionsJson);
                });
    }

    // ---- pushers

    @Transactional
    public List<PusherRow> pushers(String userId) {
        return query(PUSHERS + "WHERE user_id = ? ORDER BY app_id, pushkey", ps -> ps.setString(1, userId),
                PushStore::pusherRow);
    }

    /** The pushers of many users at once (users without any are left out). */
    @Transactional
    public Map<String, List<PusherRow>> pushers(Collection<String> userIds) {
        Map<String, List<PusherRow>> out = new HashMap<>();
        query(PUSHERS + "WHERE user_id = ANY(?) ORDER BY user_id, app_id, pushkey",
                Sql.varchars(userIds), PushStore::pusherRow)
                .forEach(p -> out.computeIfAbsent(p.userId(), u -> new ArrayList<>()).add(p));
        return out;
    }

    private static final String PUSHERS = "SELECT user_id, app_id, pushkey, kind, app_display_name,"
            + " device_display_name, profile_tag, lang, data, pushkey_ts FROM rules.pusher ";

    private static PusherRow pusherRow(ResultSet rs) throws SQLException {
        return new PusherRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), (ObjectNode) readTree(rs.getString(9)), rs.getLong(10));
    }

    /**
     * Creates or replaces a pusher; unless {@code append}, removes the pushers with the same app id and pushkey of
     * other users. Returns the users whose pushers changed.
     */
    @Transactional
    public Set<String> setPusher(PusherRow p, boolean append) {
        Set<String> changed = new LinkedHashSet<>();
        changed.add(p.userId());
        if (!append) {
            changed.addAll(query("DELETE FROM rules.pusher WHERE app_id = ? AND pushkey = ? AND user_id <> ? RETURNING user_id",
                    ps -> {
                        ps.setString(1, p.appId());
                        ps.setString(2, p.pushkey());
                        ps.setString(3, p.userId());
                    }, rs -> rs.getString(1)));
        }
        update("INSERT INTO rules.pusher (user_id, app_id, pushkey, kind, app_display_name, device_display_name,"
                + " profile_tag, lang, data, pushkey_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (user_id, app_id, pushkey) DO UPDATE SET kind = EXCLUDED.kind,"
                + " app_display_name = EXCLUDED.app_display_name, device_display_name = EXCLUDED.device_display_name,"
                + " profile_tag = EXCLUDED.profile_tag, lang = EXCLUDED.lang, data = EXCLUDED.data", ps -> {
                    ps.setString(1, p.userId());
                    ps.setString(2, p.appId());
                    ps.setString(3, p.pushkey());
                    ps.setString(4, p.kind());
                    ps.setString(5, p.appDisplayName());
                    ps.setString(6, p.deviceDisplayName());
                    ps.setString(7, p.profileTag());
                    ps.setString(8, p.lang());
                    ps.setString(9, p.data().toString());
                    ps.setLong(10, p.pushkeyTs());
                });
        return changed;
    }

    @Transactional
    public boolean deletePusher(String userId, String appId, String pushkey) {
        return update("DELETE FROM rules.pusher WHERE user_id = ? AND app_id = ? AND pushkey = ?", ps -> {
            ps.setString(1, userId);
            ps.setString(2, appId);
            ps.setString(3, pushkey);
        }) > 0;
    }

    /** Deletes every pusher with this app id and pushkey (a gateway rejected it); returns their users. */
    @Transactional
    public List<String> deletePushers(String appId, String pushkey) {
        return query("DELETE FROM rules.pusher WHERE app_id = ? AND pushkey = ? RETURNING user_id", ps -> {
            ps.setString(1, appId);
            ps.setString(2, pushkey);
        }, rs -> rs.getString(1));
    }

    // ---- JDBC plumbing (io.herald.rules.db.Sql)

    private <T> T withConnection(Sql.ConnectionWork<T> work) {
        return sql.withConnection(work);
    }

    private <T> List<T> query(String statement, Sql.Binder binder, Sql.RowMapper<T> mapper) {
        return sql.query(statement, binder, mapper);
    }

    private int update(String statement, Sql.Binder binder) {
        return sql.update(statement, binder);
    }

    public static JsonNode readTree(String json) {
        try {
            return PushRulesJson.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
