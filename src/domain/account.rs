//! Who may do what. Roles nest: a manager can do everything a technician can, and an admin
//! everything a manager can, because a small MSP's owner is often all three.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Technician,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Technician, Role::Manager, Role::Admin];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| "Choose technician, manager or admin.".to_string())
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Technician => "technician",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Technician => "Technician",
            Role::Manager => "Service desk manager",
            Role::Admin => "Administrator",
        }
    }

    pub fn is_manager(self) -> bool {
        self >= Role::Manager
    }

    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }

    /// Clients are the MSP's contracts: managers and admins create and rename them.
    pub fn can_manage_clients(self) -> bool {
        self.is_manager()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The support line a technician normally works on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    Tier1,
    Tier2,
    Tier3,
    OnSite,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Tier1, Tier::Tier2, Tier::Tier3, Tier::OnSite];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == raw.trim())
            .ok_or_else(|| "Choose tier 1, tier 2, tier 3 or on-site.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Tier1 => "tier1",
            Tier::Tier2 => "tier2",
            Tier::Tier3 => "tier3",
            Tier::OnSite => "onsite",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tier::Tier1 => "Tier 1",
            Tier::Tier2 => "Tier 2",
            Tier::Tier3 => "Tier 3",
            Tier::OnSite => "On-site support",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Technicians work a support line, so they need a tier; managers and admins may have one.
pub fn check_role_and_tier(role: Role, tier: Option<Tier>) -> Result<(), String> {
    if role == Role::Technician && tier.is_none() {
        return Err("A technician needs a tier.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn roles_nest() {
        let table = [
            (Role::Technician, false, false, false),
            (Role::Manager, true, false, true),
            (Role::Admin, true, true, true),
        ];
        for (role, manager, admin, clients) in table {
            assert_eq!(role.is_manager(), manager, "{role:?}");
            assert_eq!(role.is_admin(), admin, "{role:?}");
            assert_eq!(role.can_manage_clients(), clients, "{role:?}");
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn tiers_round_trip_and_technicians_need_one() {
        for tier in Tier::ALL {
            assert_eq!(Tier::parse(tier.as_str()).unwrap(), tier);
        }
        assert!(Tier::parse("tier4").is_err());
        assert!(check_role_and_tier(Role::Technician, None).is_err());
        assert!(check_role_and_tier(Role::Technician, Some(Tier::Tier2)).is_ok());
        assert!(check_role_and_tier(Role::Manager, None).is_ok());
    }
}
