// PostgreSQL: `ledger_debit_usage_batch` (migrations 0023 and 0024) with less of the database's
// work per batch, for the same arguments, rules, rows written and answer:
// 1. Fewer statements, each one an executor start-up, a snapshot and a plan check: the debits
//    already recorded and the promo grants are read by one statement (both after the locks), and
//    the four writes (entries, debit records, cached balances, promo grants) are one statement of
//    data-modifying WITH clauses. The insert of missing balance rows runs only when an account of
//    the batch had none (a never-credited account), not on every batch.
// 2. The cached balances and promo grants are rewritten through the row versions the function
//    read (their ctid) instead of being looked up again by key in their indexes. A balance row is
//    locked by the function, so its version cannot change before the write; a promo grant is only
//    written by a transaction holding its account's balance row, so neither can its. If a write
//    finds fewer rows than it should all the same, the function raises a serialization failure
//    (nothing of the batch is written; the caller retries its debits one by one).
// 3. Each read aggregates its rows as they come from one sorted subquery instead of sorting them
//    again in every ordered array_agg (PostgreSQL 15 sorts each ordered aggregate on its own).
//    An aggregate takes its rows in the order of a sorted subquery when the query level above
//    does nothing else (PostgreSQL's documentation, "Aggregate Expressions"); every array of one
//    read is built from the same rows in the same order.
// 4. Less work in the loop that plans the debits (each assignment is an expression evaluated
//    apart): an entry to write is kept as its debit's ordinal and part number, its id, key,
//    account, reference and time taken from the debit's arguments by the insert; a debit done now
//    answers its account, kind and request from its arguments instead of copies.
// 5. The batch's balance rows and promo grants are fetched by plain index scans (the index's own
//    order, no bitmap built per read), and duplicate keys are told apart by comparing bytes.
// The planner settings of 0024 (no sequential scans, generic plans) are part of the definition,
// as a replaced function keeps none of the old one's.
// SQLite needs nothing (see 0019).
import { sql, type Kysely } from "kysely";
import { up as up0023 } from "./0023_ledger_debit_batch_set";
import { up as up0024 } from "./0024_ledger_lean_writes";

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes("postgres");
}

export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`
    create or replace function ledger_debit_usage_batch(
      p_keys text[], p_accounts text[], p_tokens bigint[], p_reference_types text[], p_reference_ids text[],
      p_ats text[], p_entry_ids text[])
    returns table (r_ord int, r_outcome text, r_debited bigint, r_shortfall bigint, r_balance_after bigint,
      r_account_id text, r_kind text, r_requested bigint)
    language plpgsql volatile set enable_seqscan = off set enable_bitmapscan = off set plan_cache_mode = force_generic_plan as $$
    declare
      n int := coalesce(array_length(p_keys, 1), 0);
      -- ordinals in the order of processing; by ordinal: the previous ordinal with the same key,
      -- and the debit already recorded under the key (x_*).
      v_order int[]; v_prev int[];
      x_found boolean[]; x_account text[]; x_kind text[]; x_requested bigint[]; x_debited bigint[];
      x_shortfall bigint[]; x_balance bigint[];
      -- locked balances, by account in byte order, with what the batch takes from them
      b_account text[] := '{}'; b_promo bigint[]; b_paid bigint[]; b_took_promo bigint[]; b_took_paid bigint[];
      b_at text[]; b_tid tid[]; nb int; bp int := 1; nb_written int := 0;
      -- promo grants with something left, by account then spending order, with what the batch takes
      g_account text[] := '{}'; g_id text[]; g_remaining bigint[]; g_expires text[]; g_took bigint[]; g_at text[];
      g_tid tid[]; ng int; gp int := 1; c_gfirst int; c_glast int; ng_written int := 0;
      -- answers by ordinal
      o_outcome text[]; o_debited bigint[]; o_shortfall bigint[]; o_balance bigint[]; o_account text[];
      o_kind text[]; o_requested bigint[];
      -- entries to write, and the ordinals of the debit records to write
      -- (an entry by the ordinal of its debit and its part number: its id, key, account, reference and
      -- time are the debit's, suffixed from the second part on)
      e_ord int[] := '{}'; e_part int[] := '{}'; e_bucket text[] := '{}'; e_amount bigint[] := '{}'; e_grant text[] := '{}';
      ne int := 0; d_ord int[] := '{}'; nd int := 0;
      c_account text; c_known boolean := false;
      p int; i int; j int; k int; added int; v_balances_written bigint; v_grants_written bigint;
      v_account text; v_at text; v_requested bigint;
      v_promo bigint; v_paid bigint; v_wanted bigint; v_take bigint; v_left bigint; v_usable bigint;
      v_from_paid bigint; v_debited bigint; v_part int;
    begin
      if n = 0 then return; end if;
      for attempt in 1 .. 2 loop
        select coalesce(array_agg(s.account_id), '{}'), array_agg(s.promo), array_agg(s.paid), array_agg(s.ctid)
          into b_account, b_promo, b_paid, b_tid
          from (select b.ctid, b.account_id, b.promo, b.paid from account_balances b
                 where b.account_id = any(p_accounts) order by b.account_id collate "C" for update) s;
        exit when attempt = 2 or p_accounts <@ b_account;
        -- Accounts without a balance row (never credited): one at zero for those that exist.
        insert into account_balances (account_id, promo, paid, created_at, updated_at)
          select m.acc, 0, 0, min(m.at), min(m.at) from unnest(p_accounts, p_ats) as m(acc, at)
           where not (m.acc = any(b_account)) and exists (select 1 from users u where u.id = m.acc)
           group by m.acc
          on conflict (account_id) do nothing;
        get diagnostics added = row_count;
        exit when added = 0;
      end loop;
      nb := coalesce(array_length(b_account, 1), 0);
      b_took_promo := array_fill(0::bigint, array[nb]); b_took_paid := array_fill(0::bigint, array[nb]);
      b_at := array_fill(null::text, array[nb]);

      with q as (
        select m.key as q_key, m.ord::int as q_ord,
               row_number() over (order by m.acc collate "C", m.ord) as q_pos
          from unnest(p_keys, p_accounts) with ordinality as m(key, acc, ord)),
      w as (select q.*, lag(q.q_ord) over (partition by q.q_key collate "C" order by q.q_pos) as q_prev from q)
      select x.*, y.* into v_order, v_prev, x_found, x_account, x_kind, x_requested, x_debited, x_shortfall, x_balance,
             g_account, g_id, g_remaining, g_expires, g_tid
        from (select array_agg(s.q_ord order by s.q_pos), array_agg(s.q_prev), array_agg(s.found), array_agg(s.account_id),
                     array_agg(s.kind), array_agg(s.requested), array_agg(s.debited), array_agg(s.shortfall),
                     array_agg(s.balance_after)
                from (select w.q_ord, w.q_pos, w.q_prev, d.idempotency_key is not null as found, d.account_id, d.kind,
                             d.requested, d.debited, d.shortfall, d.balance_after
                        from w left join ledger_debits d on d.idempotency_key = w.q_key
                       order by w.q_ord) s) x,
             (select coalesce(array_agg(s.account_id), '{}'), array_agg(s.grant_entry_id), array_agg(s.remaining),
                     array_agg(s.expires_at), array_agg(s.ctid)
                from (select pg.ctid, pg.account_id, pg.grant_entry_id, pg.remaining, pg.expires_at
                        from ledger_promo_grants pg where pg.account_id = any(p_accounts) and pg.remaining > 0
                       order by pg.account_id collate "C", pg.expires_at, pg.grant_entry_id) s) y;
      ng := coalesce(array_length(g_account, 1), 0);
      g_took := array_fill(0::bigint, array[ng]); g_at := array_fill(null::text, array[ng]);

      o_outcome := array_fill(null::text, array[n]); o_debited := array_fill(null::bigint, array[n]);
      o_shortfall := array_fill(null::bigint, array[n]); o_balance := array_fill(null::bigint, array[n]);
      o_account := array_fill(null::text, array[n]); o_kind := array_fill(null::text, array[n]);
      o_requested := array_fill(null::bigint, array[n]);

      for p in 1 .. n loop
        i := v_order[p];
        v_account := p_accounts[i]; v_at := p_ats[i]; v_requested := p_tokens[i];
        if c_account is distinct from v_account then
          c_account := v_account;
          while bp <= nb and (b_account[bp] collate "C") < (v_account collate "C") loop bp := bp + 1; end loop;
          c_known := bp <= nb and b_account[bp] = v_account;
          while gp <= ng and (g_account[gp] collate "C") < (v_account collate "C") loop gp := gp + 1; end loop;
          c_gfirst := gp;
          while gp <= ng and g_account[gp] = v_account loop gp := gp + 1; end loop;
          c_glast := gp - 1;
        end if;
        if not c_known then
          o_outcome[i] := 'unknown_account';
          continue;
        end if;

        if x_found[i] then
          o_outcome[i] := 'replay'; o_debited[i] := x_debited[i]; o_shortfall[i] := x_shortfall[i];
          o_balance[i] := x_balance[i]; o_account[i] := x_account[i]; o_kind[i] := x_kind[i];
          o_requested[i] := x_requested[i];
          continue;
        end if;
        j := v_prev[i];
        while j is not null and o_outcome[j] = 'unknown_account' loop j := v_prev[j]; end loop;
        if j is not null then
          o_outcome[i] := 'replay'; o_debited[i] := o_debited[j]; o_shortfall[i] := o_shortfall[j];
          o_balance[i] := o_balance[j];
          -- (a debit done in this batch has no account, kind or request stored: they are its arguments)
          o_account[i] := coalesce(o_account[j], p_accounts[j]); o_kind[i] := coalesce(o_kind[j], 'usage');
          o_requested[i] := coalesce(o_requested[j], p_tokens[j]);
          continue;
        end if;

        v_promo := b_promo[bp] - b_took_promo[bp]; v_paid := b_paid[bp] - b_took_paid[bp];
        v_wanted := v_requested; v_usable := 0; v_part := 0;
        if v_promo > 0 then
          for k in c_gfirst .. c_glast loop
            v_left := g_remaining[k] - g_took[k];
            continue when v_left <= 0 or not (g_expires[k] > v_at);
            v_usable := v_usable + v_left;
            v_take := least(v_wanted, v_left);
            if v_take > 0 then
              v_part := v_part + 1; ne := ne + 1;
              e_ord[ne] := i; e_part[ne] := v_part; e_bucket[ne] := 'promo'; e_amount[ne] := -v_take; e_grant[ne] := g_id[k];
              if g_took[k] = 0 then ng_written := ng_written + 1; end if;
              g_took[k] := g_took[k] + v_take; g_at[k] := v_at;
              v_wanted := v_wanted - v_take;
            end if;
          end loop;
        end if;
        v_from_paid := least(v_wanted, greatest(v_paid, 0));
        if v_from_paid > 0 then
          v_part := v_part + 1; ne := ne + 1;
          e_ord[ne] := i; e_part[ne] := v_part; e_bucket[ne] := 'paid'; e_amount[ne] := -v_from_paid; e_grant[ne] := null;
          v_wanted := v_wanted - v_from_paid;
        end if;
        v_debited := v_requested - v_wanted;
        if v_debited > 0 then
          if b_at[bp] is null then nb_written := nb_written + 1; end if;
          b_took_promo[bp] := b_took_promo[bp] + (v_debited - v_from_paid);
          b_took_paid[bp] := b_took_paid[bp] + v_from_paid;
          b_at[bp] := v_at;
        end if;
        nd := nd + 1; d_ord[nd] := i;
        o_outcome[i] := 'done'; o_debited[i] := v_debited; o_shortfall[i] := v_wanted;
        o_balance[i] := v_usable + v_paid - v_debited;
      end loop;

      if nd > 0 then
        with e as (
          insert into ledger_entries (id, account_id, kind, bucket, amount, idempotency_key, reference_type,
              reference_id, expires_at, grant_entry_id, note, actor_id, created_at)
            select case when m.part = 1 then p_entry_ids[m.o] else p_entry_ids[m.o] || '.' || m.part end, p_accounts[m.o],
                   'usage', m.bucket, m.amount, case when m.part = 1 then p_keys[m.o] else p_keys[m.o] || '#' || m.part end,
                   p_reference_types[m.o], p_reference_ids[m.o], null, m.grant_id, null, null, p_ats[m.o]
              from unnest(e_ord, e_part, e_bucket, e_amount, e_grant) as m(o, part, bucket, amount, grant_id)),
        d as (
          insert into ledger_debits (idempotency_key, account_id, kind, bucket, requested, debited, shortfall,
              balance_after, reference_type, reference_id, created_at)
            select p_keys[m.o], p_accounts[m.o], 'usage', null, p_tokens[m.o], o_debited[m.o], o_shortfall[m.o],
                   o_balance[m.o], p_reference_types[m.o], p_reference_ids[m.o], p_ats[m.o]
              from unnest(d_ord) with ordinality as m(o, seq) order by m.seq),
        b as (
          update account_balances b set promo = b.promo - m.took_promo, paid = b.paid - m.took_paid, updated_at = m.at
            from unnest(b_tid, b_took_promo, b_took_paid, b_at) as m(tid, took_promo, took_paid, at)
           where m.at is not null and b.ctid = m.tid
          returning 1),
        g as (
          update ledger_promo_grants g set remaining = g.remaining - m.took, updated_at = m.at
            from unnest(g_tid, g_took, g_at) as m(tid, took, at)
           where m.took > 0 and g.ctid = m.tid
          returning 1)
        select (select count(*) from b), (select count(*) from g) into v_balances_written, v_grants_written;
        if v_balances_written <> nb_written or v_grants_written <> ng_written then
          raise exception 'ledger_debit_usage_batch: % of % balance rows and % of % promo grants found where they were read',
            v_balances_written, nb_written, v_grants_written, ng_written using errcode = 'serialization_failure';
        end if;
      end if;

      return query
        select m.ord::int, m.outcome, m.debited, m.shortfall, m.balance,
               case when m.outcome = 'done' then p_accounts[m.ord::int] else m.acc end,
               case when m.outcome = 'done' then 'usage' else m.kind end,
               case when m.outcome = 'done' then p_tokens[m.ord::int] else m.requested end
          from unnest(o_outcome, o_debited, o_shortfall, o_balance, o_account, o_kind, o_requested)
            with ordinality as m(outcome, debited, shortfall, balance, acc, kind, requested, ord)
         order by m.ord;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // Back to 0023's function with 0024's settings (0024's constraints are dropped already: its up
  // only drops those that exist).
  await up0023(db);
  await up0024(db);
}
