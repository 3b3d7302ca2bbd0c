// PostgreSQL: the usage debits of one group commit in one statement. `ledger_debit_usage_batch`
// takes the debits as parallel arrays and, for each in order, locks the account's balance row,
// answers a replay from ledger_debits, spends unexpired promo grants soonest expiry first and then
// paid credit (never below zero), writes the entries, the cached balances and the debit record,
// and returns one row per debit. The same rules as app/domain/ledger/plan.ts, written here once
// more because the point is to do it all without a round trip per step.
// SQLite needs nothing: its debits are prepared statements in the same process.
import { sql, type Kysely } from "kysely";

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes("postgres");
}

export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // Outcomes: 'done' (written now), 'replay' (the stored debit of that key, which the caller
  // compares with what it asked), 'unknown_account'. Any other failure raises, and the caller
  // retries the batch's debits one by one so that only the failing one fails.
  // A debit's n-th entry (n ≥ 2) has the id `<entry id>.<n>` and the key `<key>#<n>`.
  await sql`
    create function ledger_debit_usage_batch(
      p_keys text[], p_accounts text[], p_tokens bigint[], p_reference_types text[], p_reference_ids text[],
      p_ats text[], p_entry_ids text[])
    returns table (r_ord int, r_outcome text, r_debited bigint, r_shortfall bigint, r_balance_after bigint,
      r_account_id text, r_kind text, r_requested bigint)
    language plpgsql volatile as $$
    declare
      i int;
      v_key text; v_account text; v_at text; v_requested bigint;
      v_promo bigint; v_paid bigint; v_wanted bigint; v_take bigint; v_usable bigint; v_from_paid bigint; v_debited bigint;
      v_part int;
      v_existing record;
      g record;
    begin
      for i in 1 .. coalesce(array_length(p_keys, 1), 0) loop
        v_key := p_keys[i]; v_account := p_accounts[i]; v_at := p_ats[i]; v_requested := p_tokens[i];
        r_ord := i;
        select b.promo, b.paid into v_promo, v_paid from account_balances b where b.account_id = v_account for update;
        if not found then
          perform 1 from users u where u.id = v_account;
          if not found then
            r_outcome := 'unknown_account'; r_debited := null; r_shortfall := null; r_balance_after := null;
            r_account_id := null; r_kind := null; r_requested := null;
            return next;
            continue;
          end if;
          insert into account_balances (account_id, promo, paid, created_at, updated_at)
            values (v_account, 0, 0, v_at, v_at) on conflict (account_id) do nothing;
          select b.promo, b.paid into v_promo, v_paid from account_balances b where b.account_id = v_account for update;
        end if;

        select d.account_id, d.kind, d.requested, d.debited, d.shortfall, d.balance_after into v_existing
          from ledger_debits d where d.idempotency_key = v_key;
        if found then
          r_outcome := 'replay'; r_debited := v_existing.debited; r_shortfall := v_existing.shortfall;
          r_balance_after := v_existing.balance_after; r_account_id := v_existing.account_id;
          r_kind := v_existing.kind; r_requested := v_existing.requested;
          return next;
          continue;
        end if;

        v_wanted := v_requested; v_usable := 0; v_part := 0;
        if v_promo > 0 then
          for g in
            select pg.grant_entry_id, pg.remaining from ledger_promo_grants pg
             where pg.account_id = v_account and pg.remaining > 0 and pg.expires_at > v_at
             order by pg.expires_at, pg.grant_entry_id
          loop
            v_usable := v_usable + g.remaining;
            v_take := least(v_wanted, g.remaining);
            if v_take > 0 then
              v_part := v_part + 1;
              insert into ledger_entries (id, account_id, kind, bucket, amount, idempotency_key, reference_type,
                  reference_id, expires_at, grant_entry_id, note, actor_id, created_at)
                values (case when v_part = 1 then p_entry_ids[i] else p_entry_ids[i] || '.' || v_part end,
                  v_account, 'usage', 'promo', -v_take, case when v_part = 1 then v_key else v_key || '#' || v_part end,
                  p_reference_types[i], p_reference_ids[i], null, g.grant_entry_id, null, null, v_at);
              update ledger_promo_grants set remaining = remaining - v_take, updated_at = v_at
               where grant_entry_id = g.grant_entry_id;
              v_wanted := v_wanted - v_take;
            end if;
          end loop;
        end if;
        v_from_paid := least(v_wanted, greatest(v_paid, 0));
        if v_from_paid > 0 then
          v_part := v_part + 1;
          insert into ledger_entries (id, account_id, kind, bucket, amount, idempotency_key, reference_type,
              reference_id, expires_at, grant_entry_id, note, actor_id, created_at)
            values (case when v_part = 1 then p_entry_ids[i] else p_entry_ids[i] || '.' || v_part end,
              v_account, 'usage', 'paid', -v_from_paid, case when v_part = 1 then v_key else v_key || '#' || v_part end,
              p_reference_types[i], p_reference_ids[i], null, null, null, null, v_at);
          v_wanted := v_wanted - v_from_paid;
        end if;
        v_debited := v_requested - v_wanted;
        if v_debited > 0 then
          update account_balances set promo = promo - (v_debited - v_from_paid), paid = paid - v_from_paid, updated_at = v_at
           where account_id = v_account;
        end if;
        insert into ledger_debits (idempotency_key, account_id, kind, bucket, requested, debited, shortfall, balance_after,
            reference_type, reference_id, created_at)
          values (v_key, v_account, 'usage', null, v_requested, v_debited, v_wanted, v_usable + v_paid - v_debited,
            p_reference_types[i], p_reference_ids[i], v_at);
        r_outcome := 'done'; r_debited := v_debited; r_shortfall := v_wanted; r_balance_after := v_usable + v_paid - v_debited;
        r_account_id := v_account; r_kind := 'usage'; r_requested := v_requested;
        return next;
      end loop;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop function if exists ledger_debit_usage_batch(text[], text[], bigint[], text[], text[], text[], text[])`.execute(db);
}
