import GRDB

extension SQLiteStore {
    /// Migrations from an empty file. A registered migration is never edited: add a new one.
    /// Enum lists in CHECKs are literal; a test compares them with the core enums.
    /// Constraints live here: SQLite enforces them even if the code is wrong.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-foundation") { db in
            try db.execute(
                sql: """
                    CREATE TABLE org_unit (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        parent_id TEXT REFERENCES org_unit(id),
                        level TEXT NOT NULL CHECK (level IN ('grassroots','county','city','province')),
                        CHECK (parent_id IS NULL OR parent_id <> id)
                    );
                    CREATE TABLE counter (
                        name TEXT PRIMARY KEY NOT NULL,
                        next INTEGER NOT NULL CHECK (next >= 1)
                    );
                    CREATE TABLE household (
                        id INTEGER PRIMARY KEY,
                        archive_no TEXT NOT NULL UNIQUE,
                        unit_id TEXT NOT NULL REFERENCES org_unit(id),
                        status TEXT NOT NULL CHECK (status IN ('open','closed')),
                        category TEXT CHECK (category IN ('deep','relative','accident')),
                        data TEXT NOT NULL CHECK (json_valid(data)),
                        assessment TEXT NOT NULL CHECK (json_valid(assessment)),
                        review_due TEXT NOT NULL,
                        created_ms INTEGER NOT NULL,
                        closed_ms INTEGER,
                        exit_reason TEXT,
                        version INTEGER NOT NULL,
                        CHECK ((status = 'closed') = (closed_ms IS NOT NULL))
                    );
                    CREATE INDEX household_unit ON household(unit_id, status);
                    CREATE INDEX household_review ON household(review_due) WHERE status = 'open';
                    CREATE TABLE household_person (
                        household_id INTEGER NOT NULL REFERENCES household(id),
                        id_number TEXT NOT NULL CHECK (length(id_number) = 18),
                        is_open INTEGER NOT NULL CHECK (is_open IN (0, 1)),
                        PRIMARY KEY (household_id, id_number)
                    ) WITHOUT ROWID;
                    -- One person, one open archive: the rule of 一户一档, enforced by SQLite itself.
                    CREATE UNIQUE INDEX one_open_archive_per_person ON household_person(id_number) WHERE is_open = 1;
                    CREATE TABLE archive_history (
                        id INTEGER PRIMARY KEY,
                        household_id INTEGER NOT NULL REFERENCES household(id),
                        at_ms INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        field TEXT NOT NULL,
                        old_value TEXT,
                        new_value TEXT
                    );
                    CREATE INDEX archive_history_household ON archive_history(household_id, id);
                    CREATE TABLE help_case (
                        id INTEGER PRIMARY KEY,
                        case_no TEXT NOT NULL UNIQUE,
                        household_id INTEGER NOT NULL REFERENCES household(id),
                        unit_id TEXT NOT NULL REFERENCES org_unit(id),
                        help_type TEXT NOT NULL CHECK (length(help_type) > 0),
                        state TEXT NOT NULL CHECK (state IN ('draft','submitted','returned','branch_review_passed','in_notice','objected','notice_passed','disbursing','active','closed','rejected','withdrawn')),
                        filed_by TEXT NOT NULL,
                        reviewed_by TEXT,
                        approved_by TEXT,
                        plan TEXT CHECK (plan IS NULL OR json_valid(plan)),
                        notice_after TEXT,
                        notice_days INTEGER CHECK (notice_days IS NULL OR notice_days >= 0),
                        notice_deadline_ms INTEGER,
                        frozen_remaining INTEGER,
                        instalments_paid INTEGER NOT NULL DEFAULT 0 CHECK (instalments_paid >= 0),
                        repaid_fen INTEGER NOT NULL DEFAULT 0 CHECK (repaid_fen >= 0),
                        reason TEXT,
                        version INTEGER NOT NULL,
                        created_ms INTEGER NOT NULL,
                        updated_ms INTEGER NOT NULL,
                        CHECK (state <> 'in_notice' OR notice_deadline_ms IS NOT NULL)
                    );
                    CREATE INDEX help_case_household ON help_case(household_id);
                    CREATE INDEX help_case_unit_state ON help_case(unit_id, state);
                    CREATE INDEX help_case_notice_due ON help_case(notice_deadline_ms) WHERE state = 'in_notice';
                    CREATE TABLE case_event (
                        id INTEGER PRIMARY KEY,
                        case_id INTEGER NOT NULL REFERENCES help_case(id),
                        at_ms INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        event TEXT NOT NULL,
                        from_state TEXT NOT NULL,
                        to_state TEXT NOT NULL,
                        comment TEXT
                    );
                    CREATE INDEX case_event_case ON case_event(case_id, id);
                    CREATE TABLE fund (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        unit_id TEXT NOT NULL REFERENCES org_unit(id),
                        source TEXT NOT NULL CHECK (source IN ('fiscal','union_funds','party_dues','donation','named_donor')),
                        donor TEXT,
                        help_types TEXT NOT NULL CHECK (json_valid(help_types) AND json_array_length(help_types) > 0),
                        created_ms INTEGER NOT NULL,
                        CHECK (source <> 'named_donor' OR donor IS NOT NULL)
                    );
                    CREATE TABLE ledger_txn (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL CHECK (kind IN ('deposit','disbursement','loan_out','repayment','transfer')),
                        at_ms INTEGER NOT NULL,
                        business_date TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        memo TEXT,
                        case_id INTEGER REFERENCES help_case(id),
                        instalment INTEGER
                    );
                    CREATE INDEX ledger_txn_date ON ledger_txn(business_date);
                    CREATE TABLE ledger_posting (
                        id INTEGER PRIMARY KEY,
                        txn_id INTEGER NOT NULL REFERENCES ledger_txn(id),
                        account TEXT NOT NULL,
                        amount_fen INTEGER NOT NULL CHECK (amount_fen <> 0)
                    );
                    CREATE INDEX ledger_posting_account ON ledger_posting(account, amount_fen);
                    CREATE INDEX ledger_posting_txn ON ledger_posting(txn_id);
                    -- A disbursement has one row per case and instalment: paying twice pays once.
                    CREATE TABLE disbursement (
                        case_id INTEGER NOT NULL REFERENCES help_case(id),
                        instalment INTEGER NOT NULL CHECK (instalment >= 1),
                        fund_id TEXT NOT NULL REFERENCES fund(id),
                        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                        txn_id INTEGER NOT NULL UNIQUE REFERENCES ledger_txn(id),
                        paid_ms INTEGER NOT NULL,
                        paid_by TEXT NOT NULL,
                        PRIMARY KEY (case_id, instalment)
                    ) WITHOUT ROWID;
                    CREATE TABLE audit_log (
                        seq INTEGER PRIMARY KEY,
                        at_ms INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        entity TEXT NOT NULL,
                        entity_id TEXT NOT NULL,
                        detail_hash TEXT NOT NULL CHECK (length(detail_hash) = 64),
                        prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
                        hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
                    );
                    """)
            // Append-only tables: money and the audit trail are never rewritten.
            for table in ["audit_log", "ledger_txn", "ledger_posting", "disbursement", "case_event"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
                        BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
                        CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
                        BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
                        """)
            }
            for table in ["household", "help_case", "fund"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
                        BEGIN SELECT RAISE(ABORT, '\(table) rows are kept, never deleted'); END;
                        """)
            }
            // No fund may go below zero, whatever the code above does.
            try db.execute(
                sql: """
                    CREATE TRIGGER fund_no_overdraft AFTER INSERT ON ledger_posting
                    WHEN NEW.account LIKE 'fund:%' AND NEW.amount_fen < 0
                     AND (SELECT SUM(amount_fen) FROM ledger_posting WHERE account = NEW.account) < 0
                    BEGIN SELECT RAISE(ABORT, 'overdraft'); END;
                    """)
        }
        m.registerMigration("v2-application-form") { db in
            try db.execute(
                sql: """
                    ALTER TABLE help_case ADD COLUMN form TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(form));
                    ALTER TABLE help_case ADD COLUMN cause TEXT;
                    ALTER TABLE help_case ADD COLUMN temporary_aid INTEGER NOT NULL DEFAULT 0 CHECK (temporary_aid IN (0, 1));
                    ALTER TABLE help_case ADD COLUMN approved_ms INTEGER;
                    """)
        }
        m.registerMigration("v3-request-log") { db in
            // A client's request id and the answer it got, kept across restarts: a retry is answered, not redone.
            try db.execute(
                sql: """
                    CREATE TABLE request_log (
                        principal TEXT NOT NULL,
                        request_id TEXT NOT NULL CHECK (length(request_id) BETWEEN 1 AND 128),
                        params_hash TEXT NOT NULL,
                        reply TEXT NOT NULL CHECK (json_valid(reply)),
                        created_ms INTEGER NOT NULL,
                        PRIMARY KEY (principal, request_id)
                    ) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v4-campaigns") { db in
            try db.execute(
                sql: """
                    CREATE TABLE campaign_run (
                        id INTEGER PRIMARY KEY,
                        campaign_id TEXT NOT NULL,
                        holiday_date TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('planning','planned','closed')),
                        budget_fen INTEGER NOT NULL CHECK (budget_fen >= 0),
                        committed_fen INTEGER NOT NULL DEFAULT 0 CHECK (committed_fen >= 0 AND committed_fen <= budget_fen),
                        targeted INTEGER NOT NULL,
                        started_ms INTEGER NOT NULL,
                        -- Each holiday of a campaign is planned once, across restarts.
                        UNIQUE (campaign_id, holiday_date)
                    );
                    CREATE TABLE campaign_member (
                        run_id INTEGER NOT NULL REFERENCES campaign_run(id),
                        household_id INTEGER NOT NULL REFERENCES household(id),
                        outcome TEXT NOT NULL CHECK (outcome IN ('planned','left_out_budget','ineligible')),
                        case_id INTEGER UNIQUE REFERENCES help_case(id),
                        amount_fen INTEGER NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
                        reason TEXT,
                        PRIMARY KEY (run_id, household_id),
                        CHECK ((outcome = 'planned') = (case_id IS NOT NULL))
                    ) WITHOUT ROWID;
                    CREATE TABLE visit (
                        id INTEGER PRIMARY KEY,
                        household_id INTEGER NOT NULL REFERENCES household(id),
                        unit_id TEXT NOT NULL REFERENCES org_unit(id),
                        run_id INTEGER REFERENCES campaign_run(id),
                        visitor TEXT,
                        due_on TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('planned','visited','cancelled')),
                        visited_ms INTEGER,
                        visited_by TEXT,
                        note TEXT,
                        -- One campaign visit per household and run: no duplicate after a restart.
                        UNIQUE (run_id, household_id)
                    );
                    CREATE INDEX visit_unit ON visit(unit_id, status);
                    """)
        }
        m.registerMigration("v5-care") { db in
            try db.execute(
                sql: """
                    ALTER TABLE visit ADD COLUMN kind TEXT NOT NULL DEFAULT 'campaign' CHECK (kind IN ('campaign','must_visit'));
                    ALTER TABLE visit ADD COLUMN event TEXT;
                    CREATE INDEX visit_due ON visit(status, due_on);
                    CREATE TABLE pairing (
                        id INTEGER PRIMARY KEY,
                        household_id INTEGER NOT NULL REFERENCES household(id),
                        helper TEXT NOT NULL,
                        since_ms INTEGER NOT NULL,
                        until_ms INTEGER
                    );
                    -- A helper is paired with a household once at a time (several helpers per household are fine).
                    CREATE UNIQUE INDEX pairing_open ON pairing(household_id, helper) WHERE until_ms IS NULL;
                    CREATE TABLE contact (
                        id INTEGER PRIMARY KEY,
                        household_id INTEGER NOT NULL REFERENCES household(id),
                        helper TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('visit','phone','other')),
                        at_ms INTEGER NOT NULL,
                        note TEXT
                    );
                    CREATE INDEX contact_household ON contact(household_id, at_ms);
                    CREATE TABLE income_record (
                        household_id INTEGER NOT NULL REFERENCES household(id),
                        month TEXT NOT NULL CHECK (length(month) = 7),
                        per_capita_fen INTEGER NOT NULL CHECK (per_capita_fen >= 0),
                        recorded_ms INTEGER NOT NULL,
                        PRIMARY KEY (household_id, month)
                    ) WITHOUT ROWID;
                    CREATE TABLE reception (
                        id INTEGER PRIMARY KEY,
                        at_ms INTEGER NOT NULL,
                        business_date TEXT NOT NULL,
                        unit_id TEXT NOT NULL REFERENCES org_unit(id),
                        channel TEXT NOT NULL CHECK (channel IN ('window','hotline_12351','visit','other')),
                        kind TEXT NOT NULL,
                        outcome TEXT NOT NULL CHECK (outcome IN ('helped','referred','not_helped','pending')),
                        household_id INTEGER REFERENCES household(id),
                        case_id INTEGER REFERENCES help_case(id),
                        recorded_by TEXT NOT NULL,
                        note TEXT
                    );
                    CREATE INDEX reception_date ON reception(unit_id, business_date);
                    """)
        }
        m.registerMigration("v6-speed") { db in
            // Balances kept by SQLite itself as postings arrive: paying reads one row, not the account's whole history.
            // The overdraft check moves into the same trigger, so the balance it reads is the one just updated.
            // The unit tree carries a version bumped by any change, so the store may keep the tree between transactions.
            try db.execute(
                sql: """
                    CREATE TABLE account_balance (
                        account TEXT PRIMARY KEY,
                        balance_fen INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    INSERT INTO account_balance(account, balance_fen) SELECT account, SUM(amount_fen) FROM ledger_posting GROUP BY account;
                    DROP TRIGGER fund_no_overdraft;
                    CREATE TRIGGER ledger_posting_balance AFTER INSERT ON ledger_posting
                    BEGIN
                        INSERT INTO account_balance(account, balance_fen) VALUES (NEW.account, NEW.amount_fen)
                        ON CONFLICT(account) DO UPDATE SET balance_fen = balance_fen + excluded.balance_fen;
                        SELECT RAISE(ABORT, 'overdraft')
                        WHERE NEW.account LIKE 'fund:%' AND NEW.amount_fen < 0
                          AND (SELECT balance_fen FROM account_balance WHERE account = NEW.account) < 0;
                    END;
                    CREATE INDEX help_case_type ON help_case(help_type, state);
                    INSERT INTO counter(name, next) VALUES ('unit_tree', 1) ON CONFLICT(name) DO NOTHING;
                    CREATE TRIGGER org_unit_version_insert AFTER INSERT ON org_unit
                    BEGIN UPDATE counter SET next = next + 1 WHERE name = 'unit_tree'; END;
                    CREATE TRIGGER org_unit_version_update AFTER UPDATE ON org_unit
                    BEGIN UPDATE counter SET next = next + 1 WHERE name = 'unit_tree'; END;
                    CREATE TRIGGER org_unit_version_delete AFTER DELETE ON org_unit
                    BEGIN UPDATE counter SET next = next + 1 WHERE name = 'unit_tree'; END;
                    """)
        }
        m.registerMigration("v7-bounds-and-two-person-transfers") { db in
            // Bounded money (a single amount at most ¥1,000,000,000.00, a fund's balance at most
            // ¥10,000,000,000,000.00) kept by the database too, so no sum can ever leave SQLite's integers.
            try db.execute(
                sql: """
                    CREATE TRIGGER ledger_posting_bounds BEFORE INSERT ON ledger_posting
                    WHEN typeof(NEW.amount_fen) <> 'integer' OR NEW.amount_fen > 100000000000 OR NEW.amount_fen < -100000000000
                    BEGIN SELECT RAISE(ABORT, 'amount_out_of_range'); END;
                    CREATE TRIGGER account_balance_bounds BEFORE UPDATE ON account_balance
                    WHEN typeof(NEW.balance_fen) <> 'integer'
                      OR (NEW.account LIKE 'fund:%' AND NEW.balance_fen > 1000000000000000)
                      OR NEW.balance_fen > 4000000000000000000 OR NEW.balance_fen < -4000000000000000000
                    BEGIN SELECT RAISE(ABORT, 'balance_out_of_range'); END;
                    CREATE TABLE fund_transfer (
                        id INTEGER PRIMARY KEY,
                        from_fund TEXT NOT NULL REFERENCES fund(id),
                        to_fund TEXT NOT NULL REFERENCES fund(id),
                        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0 AND amount_fen <= 100000000000),
                        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
                        requested_by TEXT NOT NULL,
                        requested_ms INTEGER NOT NULL,
                        expires_ms INTEGER NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'rejected')),
                        decided_by TEXT,
                        decided_ms INTEGER,
                        note TEXT,
                        txn_id INTEGER REFERENCES ledger_txn(id),
                        CHECK (from_fund <> to_fund),
                        CHECK (decided_by IS NULL OR decided_by <> requested_by),
                        CHECK ((state = 'confirmed') = (txn_id IS NOT NULL))
                    );
                    CREATE INDEX fund_transfer_state ON fund_transfer(state, id);
                    """)
        }
        m.registerMigration("v8-audit-facts") { db in try AuditFacts.migrate(db) }
        m.registerMigration("v9-erasable-personal-values") { db in
            try PersonalValuesMigration.migrate(db)
            try AuditFacts.baseline(db, version: 9)
        }
        // Correcting an application: every version of a form kept (append-only, audited), and a
        // case filed again linked to the one it replaces (once).
        m.registerMigration("v10-form-versions") { db in
            try db.execute(
                sql: """
                    ALTER TABLE help_case ADD COLUMN replaces TEXT REFERENCES help_case(case_no);
                    CREATE UNIQUE INDEX help_case_replaces ON help_case(replaces) WHERE replaces IS NOT NULL;
                    CREATE TABLE case_form (
                        case_id INTEGER NOT NULL REFERENCES help_case(id),
                        version INTEGER NOT NULL CHECK (version >= 1),
                        form TEXT NOT NULL CHECK (json_valid(form)),
                        at_ms INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        note TEXT NOT NULL,
                        PRIMARY KEY (case_id, version)
                    ) WITHOUT ROWID;
                    CREATE TRIGGER case_form_no_update BEFORE UPDATE ON case_form
                    BEGIN SELECT RAISE(ABORT, 'form versions are append-only'); END;
                    CREATE TRIGGER case_form_no_delete BEFORE DELETE ON case_form
                    BEGIN SELECT RAISE(ABORT, 'form versions are append-only'); END;
                    """)
            try AuditFacts.baseline(db, version: 10)
        }
        return m
    }
}
