CREATE TABLE "candles" (
	"venue" text NOT NULL,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"open_time" bigint NOT NULL,
	"open" double precision NOT NULL,
	"high" double precision NOT NULL,
	"low" double precision NOT NULL,
	"close" double precision NOT NULL,
	"volume" double precision NOT NULL,
	"source" text NOT NULL,
	"ingested_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "candles_venue_symbol_timeframe_open_time_pk" PRIMARY KEY("venue","symbol","timeframe","open_time")
);
--> statement-breakpoint
CREATE TABLE "data_issues" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"venue" text NOT NULL,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"open_time" bigint,
	"reason" text NOT NULL,
	"detail" text NOT NULL,
	"raw" jsonb,
	"source" text NOT NULL,
	"fingerprint" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_files" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"job_id" text NOT NULL,
	"file_name" text NOT NULL,
	"url" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"rows" integer DEFAULT 0 NOT NULL,
	"issues" integer DEFAULT 0 NOT NULL,
	"sha256" text,
	"error" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "import_jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text DEFAULT 'binance-archive' NOT NULL,
	"venue" text DEFAULT 'binance' NOT NULL,
	"symbol" text NOT NULL,
	"interval" text NOT NULL,
	"from_period" text NOT NULL,
	"to_period" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"files_total" integer DEFAULT 0 NOT NULL,
	"files_done" integer DEFAULT 0 NOT NULL,
	"files_failed" integer DEFAULT 0 NOT NULL,
	"rows_imported" integer DEFAULT 0 NOT NULL,
	"request" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "spread_windows" (
	"key" text PRIMARY KEY NOT NULL,
	"pair" text NOT NULL,
	"venue" text NOT NULL,
	"timeframe" text NOT NULL,
	"from_time" bigint NOT NULL,
	"to_time" bigint NOT NULL,
	"candle_count" integer NOT NULL,
	"data_hash" text NOT NULL,
	"candles" jsonb NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"signal_id" bigint,
	"dedupe_key" text NOT NULL,
	"channel" text DEFAULT 'telegram' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"message" text NOT NULL,
	"last_error" text,
	"external_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "signals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"strategy_id" text NOT NULL,
	"strategy_version" text NOT NULL,
	"venue" text NOT NULL,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"candle_open_time" bigint NOT NULL,
	"candle_close_time" bigint NOT NULL,
	"action" text NOT NULL,
	"price" double precision NOT NULL,
	"reason" text NOT NULL,
	"mode" text DEFAULT 'live' NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "backtest_equity" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"time" bigint NOT NULL,
	"equity_gross" double precision NOT NULL,
	"equity_net" double precision NOT NULL,
	"drawdown" double precision NOT NULL,
	CONSTRAINT "backtest_equity_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "backtest_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text DEFAULT 'backtest' NOT NULL,
	"strategy_id" text NOT NULL,
	"strategy_version" text NOT NULL,
	"params" jsonb NOT NULL,
	"venue" text NOT NULL,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"mode" text DEFAULT 'portfolio' NOT NULL,
	"window_from" bigint NOT NULL,
	"window_to" bigint NOT NULL,
	"data_source" text NOT NULL,
	"candle_count" integer DEFAULT 0 NOT NULL,
	"data_hash" text,
	"cost_models" jsonb NOT NULL,
	"code_version" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"progress" double precision DEFAULT 0 NOT NULL,
	"verdict" text,
	"verdict_reason" text,
	"result" jsonb,
	"result_hash" text,
	"error" text,
	"sweep_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"duration_ms" integer
);
--> statement-breakpoint
CREATE TABLE "backtest_trades" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"side" text NOT NULL,
	"entry_time" bigint NOT NULL,
	"entry_price" double precision NOT NULL,
	"exit_time" bigint NOT NULL,
	"exit_price" double precision NOT NULL,
	"entry_reason" text NOT NULL,
	"exit_reason" text NOT NULL,
	"gross_return" double precision NOT NULL,
	"net_returns" jsonb NOT NULL,
	CONSTRAINT "backtest_trades_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "strategies" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"version" text NOT NULL,
	"origin" text NOT NULL,
	"family" text NOT NULL,
	"timeframe" text NOT NULL,
	"params" jsonb NOT NULL,
	"status" text DEFAULT 'research' NOT NULL,
	"status_reason" text,
	"enabled" boolean DEFAULT false NOT NULL,
	"muted" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strategy_status_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"strategy_id" text NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"reason" text NOT NULL,
	"evidence" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sweep_chunks" (
	"sweep_id" text NOT NULL,
	"chunk_index" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"result" jsonb,
	"cpu_ms" double precision,
	"error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sweep_chunks_sweep_id_chunk_index_pk" PRIMARY KEY("sweep_id","chunk_index")
);
--> statement-breakpoint
CREATE TABLE "sweeps" (
	"id" text PRIMARY KEY NOT NULL,
	"strategy_id" text NOT NULL,
	"venue" text NOT NULL,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"window_from" bigint NOT NULL,
	"window_to" bigint NOT NULL,
	"method" text NOT NULL,
	"seed" integer,
	"space" jsonb NOT NULL,
	"combos" integer NOT NULL,
	"chunks_total" integer NOT NULL,
	"chunks_done" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"result" jsonb,
	"result_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"queue" text NOT NULL,
	"message_id" text NOT NULL,
	"kind" text,
	"body" jsonb,
	"reason" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "import_files" ADD CONSTRAINT "import_files_job_id_import_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."import_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_signal_id_signals_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backtest_equity" ADD CONSTRAINT "backtest_equity_run_id_backtest_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."backtest_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backtest_trades" ADD CONSTRAINT "backtest_trades_run_id_backtest_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."backtest_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_status_changes" ADD CONSTRAINT "strategy_status_changes_strategy_id_strategies_id_fk" FOREIGN KEY ("strategy_id") REFERENCES "public"."strategies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_chunks" ADD CONSTRAINT "sweep_chunks_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "data_issues_fingerprint_uq" ON "data_issues" USING btree ("fingerprint");--> statement-breakpoint
CREATE INDEX "data_issues_series_idx" ON "data_issues" USING btree ("venue","symbol","timeframe","open_time");--> statement-breakpoint
CREATE UNIQUE INDEX "import_files_job_file_uq" ON "import_files" USING btree ("job_id","file_name");--> statement-breakpoint
CREATE INDEX "spread_windows_pair_idx" ON "spread_windows" USING btree ("pair","timeframe","from_time");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_signal_channel_uq" ON "alerts" USING btree ("signal_id","channel");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_dedupe_channel_uq" ON "alerts" USING btree ("dedupe_key","channel");--> statement-breakpoint
CREATE UNIQUE INDEX "signals_strategy_candle_uq" ON "signals" USING btree ("strategy_id","venue","symbol","timeframe","candle_open_time");--> statement-breakpoint
CREATE INDEX "signals_recent_idx" ON "signals" USING btree ("candle_open_time");--> statement-breakpoint
CREATE INDEX "backtest_runs_strategy_idx" ON "backtest_runs" USING btree ("strategy_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "dead_letters_queue_message_uq" ON "dead_letters" USING btree ("queue","message_id");