package io.herald.rules.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.pushrules.EvaluationResult;
import io.herald.pushrules.Member;
import io.herald.pushrules.PushEvent;
import io.herald.pushrules.PushRuleEvaluator;
import io.herald.pushrules.Recipient;
import io.herald.pushrules.RoomContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** Evaluates an event for the members of a Herald room with their stored (cached) rules. */
@ApplicationScoped
public class RoomEvaluator {

    /** One member's result. */
    public record MemberResult(PushStore.MemberRow member, EvaluationResult result) {
    }

    private final PushCache cache;

    RoomEvaluator(PushCache cache) {
        this.cache = cache;
    }

    /**
     * @param event             the Matrix-shaped event; {@code room_id} is added from {@code matrixRoomId} when absent
     * @param onlyWithPushers   skip members without pushers (they cost nothing, DESIGN.md) and the sender
     */
    public List<MemberResult> evaluate(String room, String matrixRoomId, ObjectNode event, boolean onlyWithPushers) {
        List<PushStore.MemberRow> members = cache.members(room);
        if (matrixRoomId != null && !event.has("room_id")) {
            event.put("room_id", matrixRoomId);
        }
        JsonNode senderNode = event.get("sender");
        String sender = senderNode != null && senderNode.isTextual() ? senderNode.textValue() : null;
        List<PushStore.MemberRow> targets = new ArrayList<>(members.size());
        List<Member> engineMembers = new ArrayList<>(members.size());
        for (PushStore.MemberRow m : members) {
            if (onlyWithPushers && (m.userId().equals(sender) || cache.pushers(m.userId()).isEmpty())) {
                continue;
            }
            targets.add(m);
            engineMembers.add(new Member(Recipient.of(m.userId(), m.displayName()), cache.rules(m.userId())));
        }
        List<MemberResult> out = new ArrayList<>(targets.size());
        if (targets.isEmpty()) {
            return out;
        }
        List<EvaluationResult> results = PushRuleEvaluator.evaluateAll(PushEvent.of(event),
                RoomContext.of(members.size(), powerLevels(members)), engineMembers);
        for (int i = 0; i < targets.size(); i++) {
            out.add(new MemberResult(targets.get(i), results.get(i)));
        }
        return out;
    }

    /** An {@code m.room.power_levels}-like content: members' levels, {@code users_default} 0, {@code room} 50. */
    static ObjectNode powerLevels(List<PushStore.MemberRow> members) {
        ObjectNode pl = JsonNodeFactory.instance.objectNode();
        ObjectNode users = pl.putObject("users");
        for (PushStore.MemberRow m : members) {
            users.put(m.userId(), m.powerLevel());
        }
        pl.put("users_default", 0);
        pl.putObject("notifications").put("room", 50);
        return pl;
    }
}
