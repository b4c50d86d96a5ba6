-- 0012_project_settings.sql - a project may be public: its name is listed to visitors without credentials.

-- 1: the project is listed by GET /api/v1/projects to anyone (the community's public pages
-- come later and read this flag too); 0: only to the team. Set by `prosumd project add
-- --public` or PATCH /api/v1/projects/{p} {"public":true}.
ALTER TABLE projects ADD COLUMN public INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1));
