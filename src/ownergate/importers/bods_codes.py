"""BODS codelists ownergate checks, and how they map onto its own vocabulary.

Codes are the 0.4 spellings; 0.2 wrote codes with hyphens (``voting-rights``) and named trust
roles differently, and 0.3 spelled one interest type in the plural: ``OLD_INTEREST_TYPES``
maps those (after hyphens become camelCase) onto the 0.4 codes.
"""

from __future__ import annotations

from typing import Literal

from ownergate.domain.model import Kind

RecordType = Literal["entity", "person", "relationship"]

RECORD_TYPES: dict[str, RecordType] = {
    "entity": "entity",
    "person": "person",
    "relationship": "relationship",
}
STATEMENT_TYPES: dict[str, RecordType] = {
    "entityStatement": "entity",
    "personStatement": "person",
    "ownershipOrControlStatement": "relationship",
}
RECORD_STATUSES = ("new", "updated", "closed")
ENTITY_KINDS = {
    "registeredEntity": Kind.COMPANY,
    "legalEntity": Kind.COMPANY,
    "state": Kind.STATE,
    "stateBody": Kind.STATE,
    "arrangement": Kind.OTHER,  # trusts, nominations, joint holdings
    "anonymousEntity": Kind.OTHER,
    "unknownEntity": Kind.OTHER,
}
PERSON_TYPES = ("knownPerson", "anonymousPerson", "unknownPerson")
DIRECTNESS = ("direct", "indirect", "unknown")
ADDRESS_TYPES = (
    "placeOfBirth",
    "home",  # 0.2
    "residence",
    "registered",
    "service",
    "alternative",
    "business",
)
# The 0.4 interestType codelist; 0.2 spelled codes with hyphens and named trust roles
# differently, which ``_interest_type`` maps onto these.
INTEREST_TYPES = frozenset(
    {
        "shareholding",
        "votingRights",
        "appointmentOfBoard",
        "otherInfluenceOrControl",
        "seniorManagingOfficial",
        "settlor",
        "trustee",
        "protector",
        "beneficiaryOfLegalArrangement",
        "rightsToSurplusAssetsOnDissolution",
        "rightsToProfitOrIncome",
        "rightsGrantedByContract",
        "conditionalRightsGrantedByContract",
        "controlViaCompanyRulesOrArticles",
        "controlByLegalFramework",
        "boardMember",
        "boardChair",
        "unknownInterest",
        "unpublishedInterest",
        "enjoymentAndUseOfAssets",
        "rightToProfitOrIncomeFromAssets",
        "nominee",
        "nominator",
    }
)
OLD_INTEREST_TYPES = {
    "settlorOfTrust": "settlor",
    "trusteeOfTrust": "trustee",
    "protectorOfTrust": "protector",
    "beneficiaryOfTrust": "beneficiaryOfLegalArrangement",
    "otherInfluenceOrControlOfTrust": "otherInfluenceOrControl",
    "rightsToProfitOrIncomeFromAssets": "rightToProfitOrIncomeFromAssets",  # 0.3
}
UNSPECIFIED_REASONS = frozenset(
    {
        "noBeneficialOwners",
        "noNotifiableOwners",  # 0.2
        "subjectUnableToConfirmOrIdentifyBeneficialOwner",
        "interestedPartyHasNotProvidedInformation",
        "subjectExemptFromDisclosure",
        "interestedPartyExemptFromDisclosure",
        "unknown",
        "informationUnknownToPublisher",
    }
)
