CREATE TABLE "lab_applies" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lab_applies_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"lab_id" text NOT NULL,
	"files" jsonb NOT NULL,
	"error" text,
	"duration_ms" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "lab_applies" ADD CONSTRAINT "lab_applies_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lab_applies_user_lab_idx" ON "lab_applies" USING btree ("user_id","lab_id","created_at");--> statement-breakpoint
CREATE TRIGGER "lab_applies_append_only" BEFORE UPDATE ON "lab_applies" FOR EACH ROW EXECUTE FUNCTION "academy_append_only"();
