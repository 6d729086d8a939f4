"""Small hand-written BPMN documents for engine tests (no diagram layout: the engine needs none)."""

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'id="d" targetNamespace="t">')


def script_process(script: str, key: str = "scripted") -> bytes:
    return (f'{HEAD}<bpmn:process id="{key}" isExecutable="true">'
            '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="run"/>'
            f'<bpmn:scriptTask id="run" scriptFormat="python"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
            '<bpmn:sequenceFlow id="f2" sourceRef="run" targetRef="end"/><bpmn:endEvent id="end"/>'
            '</bpmn:process></bpmn:definitions>').encode()


def form_process(fields: str, lane: str | None = None, key: str = "formed") -> bytes:
    lanes = (f'<bpmn:laneSet id="ls"><bpmn:lane id="lane1" name="{lane}"><bpmn:flowNodeRef>ask</bpmn:flowNodeRef>'
             '</bpmn:lane></bpmn:laneSet>') if lane else ""
    return (f'{HEAD}<bpmn:process id="{key}" isExecutable="true">{lanes}'
            '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask"/>'
            f'<bpmn:userTask id="ask" name="Ask"><bpmn:extensionElements><camunda:formData>{fields}'
            '</camunda:formData></bpmn:extensionElements></bpmn:userTask>'
            '<bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="end"/><bpmn:endEvent id="end"/>'
            '</bpmn:process></bpmn:definitions>').encode()


def service_process(topic: str, params: str = "") -> bytes:
    return (f'{HEAD}<bpmn:process id="serviced" isExecutable="true">'
            '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>'
            f'<bpmn:serviceTask id="call" camunda:type="external" camunda:topic="{topic}"><bpmn:extensionElements>'
            f'<camunda:inputOutput>{params}</camunda:inputOutput></bpmn:extensionElements></bpmn:serviceTask>'
            '<bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/><bpmn:endEvent id="end"/>'
            '</bpmn:process></bpmn:definitions>').encode()


def timer_process(duration: str = "PT1S") -> bytes:
    return (f'{HEAD}<bpmn:process id="timed" isExecutable="true">'
            '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>'
            '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
            f'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{duration}</bpmn:timeDuration>'
            '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
            '<bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/><bpmn:endEvent id="end"/>'
            '</bpmn:process></bpmn:definitions>').encode()
