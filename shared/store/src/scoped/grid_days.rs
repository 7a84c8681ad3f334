//! Grid days (周三网格日): a tenant's day when cadres and volunteers go
//! into the grids, with its grids and its people; its totals are the kept
//! figures of the patrols signed in on it (`patrol_figures` rows of the
//! day), so they cost the same whatever the day's size. Lists of ids go to
//! SQLite as one JSON array each (`json_each`): one statement for 2,000
//! people as for one.

use super::TenantScope;
use super::patrols::{SUMS, tally_from_row};
use crate::db::{Database, Row, StoreError, in_transaction};
use crate::error::Error;
use crate::time::to_text;
use chrono::{DateTime, NaiveDate, Utc};
use domain::patrol::{DayFacts, GridDayPlan, Tally, check_started_day, may_join_grid_day};
use domain::{Problem, Role, UserId};
use std::collections::HashMap;

/// A grid day with its grids, people and totals (`members` empty in lists).
#[derive(Debug, Clone, PartialEq)]
pub struct GridDay {
    pub id: i64,
    pub date: NaiveDate,
    pub title: String,
    pub grids: Vec<(i64, String)>,
    pub members: Vec<GridDayMember>,
    pub totals: Tally,
    pub people_signed_in: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridDayMember {
    pub id: UserId,
    pub name: String,
    pub role: String,
    pub signed_in: bool,
}

/// A day listing the caller, with the caller's patrol on it if any.
#[derive(Debug, Clone, PartialEq)]
pub struct MyGridDay {
    pub day: GridDay,
    pub my_patrol: Option<i64>,
}

fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

fn date_of(r: &Row<'_>) -> Result<NaiveDate, StoreError> {
    crate::decoded(
        "day",
        r.get_str("day")?
            .parse::<NaiveDate>()
            .map_err(|_| Problem::internal("day")),
    )
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Checks that the plan's grids are the tenant's grids or micro-grids
    /// in service, and its people the tenant's grid workers or volunteers
    /// (two reads).
    fn check_plan(&self, plan: &GridDayPlan) -> Result<(), Error> {
        let grids = self.db.execute(
            "SELECT id FROM grid_nodes WHERE tenant_id = ? AND retired = 0 AND level >= 3 \
             AND id IN (SELECT value FROM json_each(?))",
            &[self.tenant.0.into(), json_ids(&plan.grids).into()],
        )?;
        if grids.len() != plan.grids.len() {
            return Err(Problem::unknown(
                "grid_ids",
                "every grid of a grid day is a grid (level 3) or micro-grid of the township, in service",
            )
            .into());
        }
        let people = self.db.execute(
            "SELECT id, role FROM users WHERE tenant_id = ? \
             AND id IN (SELECT value FROM json_each(?))",
            &[self.tenant.0.into(), json_ids(&plan.members).into()],
        )?;
        let fit = people
            .iter()
            .map(|r| Ok(Role::parse(r.get_str("role")?).is_ok_and(may_join_grid_day)))
            .collect::<Result<Vec<bool>, StoreError>>()?;
        if fit.len() != plan.members.len() || fit.contains(&false) {
            return Err(Problem::unprocessable(
                "member_ids",
                "the people of a grid day are the township's grid workers and volunteers",
            )
            .into());
        }
        Ok(())
    }

    /// Plans a grid day.
    pub fn create_grid_day(
        &self,
        plan: &GridDayPlan,
        created_by: &str,
        now: DateTime<Utc>,
    ) -> Result<GridDay, Error> {
        self.check_plan(plan)?;
        let id = in_transaction(self.db, |db| -> Result<i64, Error> {
            let id = db
                .execute(
                    "INSERT INTO grid_days (tenant_id, day, title, created_by, created_at) \
                     VALUES (?, ?, ?, ?, ?) RETURNING id",
                    &[
                        self.tenant.0.into(),
                        plan.date.to_string().into(),
                        plan.title.clone().into(),
                        created_by.into(),
                        to_text(now).into(),
                    ],
                )?
                .returned()?
                .get_i64("id")?;
            self.write_lists(db, id, plan)?;
            Ok(id)
        })?;
        self.grid_day(id)?
            .ok_or_else(|| Error::NotFound("the grid day just planned".into()))
    }

    /// Replaces a grid day's date, title, grids and people; once someone
    /// has signed in, only its title and additions (409 `grid_day_started`,
    /// `domain::patrol::check_started_day`, read in the transaction).
    pub fn update_grid_day(&self, id: i64, plan: &GridDayPlan) -> Result<GridDay, Error> {
        self.check_plan(plan)?;
        in_transaction(self.db, |db| -> Result<(), Error> {
            self.check_started(db, id, Some(plan))?;
            db.execute(
                "UPDATE grid_days SET day = ?, title = ? WHERE tenant_id = ? AND id = ?",
                &[
                    plan.date.to_string().into(),
                    plan.title.clone().into(),
                    self.tenant.0.into(),
                    id.into(),
                ],
            )?;
            self.delete_lists(db, id)?;
            self.write_lists(db, id, plan)
        })?;
        self.grid_day(id)?
            .ok_or_else(|| Error::NotFound("no such grid day".into()))
    }

    /// Deletes a grid day (the caller checked it is before the day); one
    /// with patrols on it is 409 `grid_day_started`.
    pub fn delete_grid_day(&self, id: i64) -> Result<(), Error> {
        in_transaction(self.db, |db| -> Result<(), Error> {
            self.check_started(db, id, None)?;
            self.delete_lists(db, id)?;
            db.execute(
                "DELETE FROM grid_days WHERE tenant_id = ? AND id = ?",
                &[self.tenant.0.into(), id.into()],
            )?;
            Ok(())
        })
    }

    /// The day as planned and who signed in to it (two reads), checked
    /// against the change (`after`; none: deleting it).
    fn check_started(&self, db: &D, id: i64, after: Option<&GridDayPlan>) -> Result<(), Error> {
        let signed_in = db
            .execute(
                "SELECT DISTINCT person_id FROM patrols WHERE tenant_id = ? AND grid_day_id = ?",
                &[self.tenant.0.into(), id.into()],
            )?
            .iter()
            .map(|r| r.get_i64("person_id"))
            .collect::<Result<Vec<i64>, StoreError>>()?;
        if signed_in.is_empty() {
            return Ok(());
        }
        let rows = db.execute(
            "SELECT d.day, (SELECT json_group_array(grid_id) FROM grid_day_grids g \
             WHERE g.tenant_id = d.tenant_id AND g.grid_day_id = d.id) AS grids \
             FROM grid_days d WHERE d.tenant_id = ? AND d.id = ?",
            &[self.tenant.0.into(), id.into()],
        )?;
        let row = rows.returned()?;
        let grids: Vec<i64> = serde_json::from_str(row.get_str("grids")?)
            .map_err(|_| Problem::internal("a grid day's grids"))?;
        let before = GridDayPlan {
            date: date_of(&row)?,
            title: String::new(),
            grids,
            members: Vec::new(),
        };
        Ok(check_started_day(&before, &signed_in, after)?)
    }

    fn write_lists(&self, db: &D, id: i64, plan: &GridDayPlan) -> Result<(), Error> {
        for (table, column, ids) in [
            ("grid_day_grids", "grid_id", &plan.grids),
            ("grid_day_members", "user_id", &plan.members),
        ] {
            if ids.is_empty() {
                continue;
            }
            db.execute(
                &format!(
                    "INSERT INTO {table} (tenant_id, grid_day_id, {column}) \
                     SELECT ?, ?, value FROM json_each(?)"
                ),
                &[self.tenant.0.into(), id.into(), json_ids(ids).into()],
            )?;
        }
        Ok(())
    }

    fn delete_lists(&self, db: &D, id: i64) -> Result<(), Error> {
        for table in ["grid_day_grids", "grid_day_members"] {
            db.execute(
                &format!("DELETE FROM {table} WHERE tenant_id = ? AND grid_day_id = ?"),
                &[self.tenant.0.into(), id.into()],
            )?;
        }
        Ok(())
    }

    /// A grid day with its grids, people (who signed in) and totals.
    pub fn grid_day(&self, id: i64) -> Result<Option<GridDay>, Error> {
        let mut days = self.grid_days_where("d.id = ?", vec![id.into()])?;
        let Some(mut day) = days.pop() else {
            return Ok(None);
        };
        let rows = self.db.execute(
            "SELECT u.id, u.display_name, u.role, EXISTS (SELECT 1 FROM patrols p \
             WHERE p.tenant_id = m.tenant_id AND p.grid_day_id = m.grid_day_id \
             AND p.person_id = m.user_id) AS signed_in FROM grid_day_members m \
             JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id \
             WHERE m.tenant_id = ? AND m.grid_day_id = ? ORDER BY u.id",
            &[self.tenant.0.into(), id.into()],
        )?;
        day.members = rows
            .iter()
            .map(|r| {
                Ok(GridDayMember {
                    id: UserId(r.get_i64("id")?),
                    name: r.get_string("display_name")?,
                    role: r.get_string("role")?,
                    signed_in: r.get_bool("signed_in")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Some(day))
    }

    /// The grid days of the local dates `from` to `to`, by date.
    pub fn grid_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<GridDay>, Error> {
        self.grid_days_where(
            "d.day >= ? AND d.day <= ?",
            vec![from.to_string().into(), to.to_string().into()],
        )
    }

    /// The days from `from` on that list `person`, with their patrol on each.
    pub fn my_grid_days(&self, person: UserId, from: NaiveDate) -> Result<Vec<MyGridDay>, Error> {
        let days = self.grid_days_where(
            "d.day >= ? AND EXISTS (SELECT 1 FROM grid_day_members m WHERE m.tenant_id = d.tenant_id \
             AND m.grid_day_id = d.id AND m.user_id = ?)",
            vec![from.to_string().into(), person.0.into()],
        )?;
        let ids: Vec<i64> = days.iter().map(|d| d.id).collect();
        let rows = self.db.execute(
            "SELECT grid_day_id, max(id) AS id FROM patrols WHERE tenant_id = ? AND person_id = ? \
             AND grid_day_id IN (SELECT value FROM json_each(?)) GROUP BY grid_day_id",
            &[self.tenant.0.into(), person.0.into(), json_ids(&ids).into()],
        )?;
        let mut mine = HashMap::new();
        for r in rows.iter() {
            mine.insert(r.get_i64("grid_day_id")?, r.get_i64("id")?);
        }
        Ok(days
            .into_iter()
            .map(|day| MyGridDay {
                my_patrol: mine.get(&day.id).copied(),
                day,
            })
            .collect())
    }

    /// Grid days matching `condition` (on `d`), with their grids and
    /// totals, in three reads.
    fn grid_days_where(
        &self,
        condition: &str,
        params: Vec<crate::Value>,
    ) -> Result<Vec<GridDay>, Error> {
        let mut all = vec![self.tenant.0.into()];
        all.extend(params);
        let rows = self.db.execute(
            &format!(
                "SELECT d.id, d.day, d.title FROM grid_days d WHERE d.tenant_id = ? AND {condition} \
                 ORDER BY d.day, d.id"
            ),
            &all,
        )?;
        let mut days = rows
            .iter()
            .map(|r| {
                Ok(GridDay {
                    id: r.get_i64("id")?,
                    date: date_of(&r)?,
                    title: r.get_string("title")?,
                    grids: Vec::new(),
                    members: Vec::new(),
                    totals: Tally::default(),
                    people_signed_in: 0,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        if days.is_empty() {
            return Ok(days);
        }
        let ids = json_ids(&days.iter().map(|d| d.id).collect::<Vec<_>>());
        let grids = self.db.execute(
            "SELECT x.grid_day_id, g.id, g.name FROM grid_day_grids x \
             JOIN grid_nodes g ON g.tenant_id = x.tenant_id AND g.id = x.grid_id \
             WHERE x.tenant_id = ? AND x.grid_day_id IN (SELECT value FROM json_each(?)) \
             ORDER BY g.code",
            &[self.tenant.0.into(), ids.clone().into()],
        )?;
        let totals = self.db.execute(
            &format!(
                "SELECT f.grid_day_id, {SUMS}, COUNT(DISTINCT f.person_id) AS people \
                 FROM patrol_figures f WHERE f.tenant_id = ? \
                 AND f.grid_day_id IN (SELECT value FROM json_each(?)) GROUP BY f.grid_day_id"
            ),
            &[self.tenant.0.into(), ids.into()],
        )?;
        let at: HashMap<i64, usize> = days.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
        for r in grids.iter() {
            if let Some(&i) = at.get(&r.get_i64("grid_day_id")?) {
                days[i]
                    .grids
                    .push((r.get_i64("id")?, r.get_string("name")?));
            }
        }
        for r in totals.iter() {
            if let Some(&i) = at.get(&r.get_i64("grid_day_id")?) {
                days[i].totals = tally_from_row(&r, true)?;
                days[i].people_signed_in = r.get_i64("people")?;
            }
        }
        Ok(days)
    }

    /// What the patrol rules need of a grid day for `person`: its date,
    /// its grids, whether they are on it.
    pub fn grid_day_facts(&self, id: i64, person: UserId) -> Result<Option<DayFacts>, Error> {
        let rows = self.db.execute(
            "SELECT d.day, (SELECT json_group_array(x.grid_id) FROM grid_day_grids x \
             WHERE x.tenant_id = d.tenant_id AND x.grid_day_id = d.id) AS grids, \
             EXISTS (SELECT 1 FROM grid_day_members m WHERE m.tenant_id = d.tenant_id \
             AND m.grid_day_id = d.id AND m.user_id = ?) AS member \
             FROM grid_days d WHERE d.tenant_id = ? AND d.id = ?",
            &[person.0.into(), self.tenant.0.into(), id.into()],
        )?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        let grids: Vec<i64> =
            serde_json::from_str(r.get_str("grids")?).map_err(|_| StoreError::Decode {
                column: "grids".into(),
                expected: "a JSON array of ids",
            })?;
        Ok(Some(DayFacts {
            date: date_of(&r)?,
            grids,
            member: r.get_bool("member")?,
        }))
    }
}
